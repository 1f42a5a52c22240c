package io.belamy.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Hugging Face reference checkpoints under {@code src/test/resources/hf} (copied from {@code
 * shared/fixtures/hf}, outputs computed by {@code transformers}). A missing fixture fails the test.
 */
public final class Fixtures {

    public static final String GPT2_TINY = "gpt2-tiny";
    public static final String BERT_TINY = "bert-tiny";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    /** The model directory of a fixture. */
    public static Path dir(String name) {
        URL url = Fixtures.class.getResource("/hf/" + name + "/config.json");
        if (url == null) {
            throw new IllegalStateException(
                    "test fixture hf/" + name + " is missing from the test classpath");
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixture's {@code reference.json}. */
    public static JsonNode reference(String name) {
        try {
            return JSON.readTree(dir(name).resolve("reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's {@code reference.safetensors} (logits and the inputs that produced them). */
    public static Map<String, Tensor> referenceTensors(String name) {
        try {
            return Safetensors.read(dir(name).resolve("reference.safetensors"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON array of integers as an int array. */
    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}

package io.belamy.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The Hugging Face reference checkpoints under {@code src/test/resources/hf} (copied from {@code
 * shared/fixtures/hf}, outputs computed by {@code transformers}). A missing fixture fails the test.
 */
public final class Fixtures {

    public static final String GPT2_TINY = "gpt2-tiny";
    public static final String BERT_TINY = "bert-tiny";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

    /**
     * The bundled MIDI pieces ({@code data/midi} of the repository); missing ones fail the test.
     */
    public static List<Path> midiFiles() {
        Path dir = Path.of(System.getProperty("belamy.home", "..")).resolve("data/midi");
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            List<Path> out = files.filter(f -> f.toString().endsWith(".mid")).sorted().toList();
            if (out.size() < 5) {
                throw new IllegalStateException("expected the bundled MIDI pieces in " + dir);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("the bundled MIDI pieces are missing: " + dir, e);
        }
    }

    /**
     * The model directory of a fixture: the resource directory itself, or (when the fixtures come
     * from this module's test jar) a copy extracted once per JVM.
     */
    public static Path dir(String name) {
        URL url = Fixtures.class.getResource("/hf/" + name + "/config.json");
        if (url == null) {
            throw new IllegalStateException(
                    "test fixture hf/" + name + " is missing from the test classpath");
        }
        if (url.getProtocol().equals("jar")) {
            return EXTRACTED.computeIfAbsent(name, n -> extract(url, n));
        }
        try {
            return Path.of(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path extract(URL configUrl, String name) {
        try {
            JarURLConnection connection = (JarURLConnection) configUrl.openConnection();
            Path target =
                    Files.createDirectories(
                            Files.createTempDirectory("belamy-fixtures").resolve(name));
            String prefix = "hf/" + name + "/";
            try (JarFile jar = new JarFile(connection.getJarFileURL().getPath())) {
                for (JarEntry e : java.util.Collections.list(jar.entries())) {
                    if (e.getName().startsWith(prefix) && !e.isDirectory()) {
                        try (InputStream in = jar.getInputStream(e)) {
                            Files.copy(in, target.resolve(e.getName().substring(prefix.length())));
                        }
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract fixture " + name, e);
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

    /**
     * The bert-tiny reference's first text, its four {@code [MASK]}s included, as text that
     * tokenizes back to the reference input ids (checked by {@code BertParityTest}).
     */
    public static String bertMaskedText(io.belamy.core.bert.BertModel model) {
        Map<String, Tensor> tensors = referenceTensors(BERT_TINY);
        long[] maskedIds = tensors.get("input_ids").toLongs();
        long[] attention = tensors.get("attention_mask").toLongs();
        int t = (int) tensors.get("input_ids").shape()[1];
        int length = (int) java.util.Arrays.stream(attention, 0, t).sum();
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < length - 1; i++) { // without [CLS] and [SEP]
            int id = (int) maskedIds[i];
            String piece =
                    id == model.maskId()
                            ? io.belamy.core.bert.BertModel.MASK
                            : model.tokenizer().decode(new int[] {id});
            text.append(text.length() > 0 && !piece.startsWith("##") ? " " : "")
                    .append(piece.replace("##", ""));
        }
        return text.toString();
    }
}

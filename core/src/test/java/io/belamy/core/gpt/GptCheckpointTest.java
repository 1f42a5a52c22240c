package io.belamy.core.gpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.io.DType;
import io.belamy.core.io.Safetensors;
import io.belamy.core.io.Tensor;
import io.belamy.core.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and saving Hugging Face GPT-2 directories. */
class GptCheckpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    private final Path fixture = Fixtures.dir(Fixtures.GPT2_TINY);

    @Test
    void saveThenLoadGivesIdenticalLogitsAndTheHuggingFaceLayout() throws IOException {
        Path out = tmp.resolve("exported");
        float[] before;
        try (GptModel model = GptModel.load(fixture)) {
            before = logits(model);
            model.save(out);
        }
        try (GptModel reloaded = GptModel.load(out)) {
            assertThat(logits(reloaded)).containsExactly(before);
        }

        assertThat(out.resolve("config.json")).isRegularFile();
        assertThat(out.resolve("model.safetensors")).isRegularFile();
        assertThat(out.resolve("tokenizer.json"))
                .hasSameTextualContentAs(fixture.resolve("tokenizer.json"));

        // Same tensor names, shapes and dtype as the checkpoint transformers wrote.
        Map<String, Tensor> theirs = Safetensors.read(fixture.resolve("model.safetensors"));
        Map<String, Tensor> ours = Safetensors.read(out.resolve("model.safetensors"));
        assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(theirs.keySet());
        for (String name : theirs.keySet()) {
            assertThat(ours.get(name).shape()).as(name).containsExactly(theirs.get(name).shape());
            assertThat(ours.get(name).dtype()).as(name).isEqualTo(DType.F32);
            assertThat(ours.get(name))
                    .as("weights of %s unchanged", name)
                    .isEqualTo(theirs.get(name));
        }

        // Every architecture field of their config.json has the same value in ours.
        JsonNode theirConfig = JSON.readTree(fixture.resolve("config.json").toFile());
        JsonNode ourConfig = JSON.readTree(out.resolve("config.json").toFile());
        for (String field :
                new String[] {
                    "architectures",
                    "model_type",
                    "activation_function",
                    "vocab_size",
                    "n_positions",
                    "n_embd",
                    "n_layer",
                    "n_head",
                    "layer_norm_epsilon",
                    "bos_token_id",
                    "eos_token_id",
                    "tie_word_embeddings",
                    "add_cross_attention",
                    "scale_attn_weights",
                    "resid_pdrop",
                    "attn_pdrop",
                    "embd_pdrop"
                }) {
            if (theirConfig.has(field)) {
                assertThat(ourConfig.get(field).asText())
                        .as("config.json %s", field)
                        .isEqualTo(theirConfig.get(field).asText());
            } else {
                assertThat(ourConfig.has(field)).as("config.json %s", field).isTrue();
            }
        }
        assertThat(ourConfig.get("n_inner").asInt())
                .isEqualTo(4 * theirConfig.get("n_embd").asInt());
    }

    @Test
    void parameterNamesAreTheHuggingFaceNamesInCheckpointOrder() {
        GptConfig config = new GptConfig(10, 8, 4, 2, 2, 16, 1e-5f, 0f, 0, 0);
        try (NDManager m = io.belamy.core.Djl.newManager()) {
            Gpt gpt = Gpt.create(config, m, 1);
            StringBuilder names = new StringBuilder();
            gpt.namedParameters()
                    .forEach(
                            (n, p) ->
                                    names.append(n).append(' ').append(p.getShape()).append('\n'));
            assertThat(names.toString())
                    .isEqualTo(
                            """
                            transformer.wte.weight (10, 4)
                            transformer.wpe.weight (8, 4)
                            transformer.h.0.ln_1.weight (4)
                            transformer.h.0.ln_1.bias (4)
                            transformer.h.0.attn.c_attn.weight (4, 12)
                            transformer.h.0.attn.c_attn.bias (12)
                            transformer.h.0.attn.c_proj.weight (4, 4)
                            transformer.h.0.attn.c_proj.bias (4)
                            transformer.h.0.ln_2.weight (4)
                            transformer.h.0.ln_2.bias (4)
                            transformer.h.0.mlp.c_fc.weight (4, 16)
                            transformer.h.0.mlp.c_fc.bias (16)
                            transformer.h.0.mlp.c_proj.weight (16, 4)
                            transformer.h.0.mlp.c_proj.bias (4)
                            transformer.h.1.ln_1.weight (4)
                            transformer.h.1.ln_1.bias (4)
                            transformer.h.1.attn.c_attn.weight (4, 12)
                            transformer.h.1.attn.c_attn.bias (12)
                            transformer.h.1.attn.c_proj.weight (4, 4)
                            transformer.h.1.attn.c_proj.bias (4)
                            transformer.h.1.ln_2.weight (4)
                            transformer.h.1.ln_2.bias (4)
                            transformer.h.1.mlp.c_fc.weight (4, 16)
                            transformer.h.1.mlp.c_fc.bias (16)
                            transformer.h.1.mlp.c_proj.weight (16, 4)
                            transformer.h.1.mlp.c_proj.bias (4)
                            transformer.ln_f.weight (4)
                            transformer.ln_f.bias (4)
                            """);
            long count =
                    gpt.namedParameters().values().stream()
                            .mapToLong(p -> p.getShape().size())
                            .sum();
            assertThat(count).isEqualTo(config.parameterCount());
        }
    }

    @Test
    void bf16AndF16CheckpointsWidenToFloat32() throws IOException {
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            Path dir = copyFixture("half-" + dtype);
            Map<String, Tensor> half = new LinkedHashMap<>();
            Safetensors.read(fixture.resolve("model.safetensors"))
                    .forEach((name, t) -> half.put(name, narrow(t, dtype)));
            Safetensors.write(dir.resolve("model.safetensors"), half);

            try (GptModel original = GptModel.load(fixture);
                    GptModel widened = GptModel.load(dir)) {
                float diff = GptParityTest.maxAbsDiff(logits(original), logits(widened));
                assertThat(diff).as("%s rounding only", dtype).isLessThan(0.25f).isGreaterThan(0f);
            }
        }
    }

    @Test
    void checkpointsWithoutTheTransformerPrefixOrWithATiedHeadLoad() throws IOException {
        Path dir = copyFixture("gpt2model");
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        Map<String, Tensor> original = Safetensors.read(fixture.resolve("model.safetensors"));
        original.forEach((name, t) -> renamed.put(name.substring("transformer.".length()), t));
        renamed.put("lm_head.weight", original.get("transformer.wte.weight"));
        renamed.put("h.0.attn.bias", Tensor.ofFloats(new long[] {1}, new float[] {1}));
        Safetensors.write(dir.resolve("model.safetensors"), renamed);

        try (GptModel a = GptModel.load(fixture);
                GptModel b = GptModel.load(dir)) {
            assertThat(logits(b)).containsExactly(logits(a));
        }
    }

    @Test
    void missingDirectoryAndFilesAreNamed() throws IOException {
        Path nowhere = tmp.resolve("nowhere");
        assertThatThrownBy(() -> GptModel.load(nowhere))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(nowhere.toString())
                .hasMessageContaining("model directory not found");

        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Path dir = copyFixture("without-" + file);
            Files.delete(dir.resolve(file));
            assertThatThrownBy(() -> GptModel.load(dir))
                    .as("without %s", file)
                    .isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining(dir.resolve(file).toString());
        }
    }

    @Test
    void malformedConfigIsRejectedNamingTheFieldAndValue() throws IOException {
        Path notJson = copyFixture("not-json");
        Files.writeString(notJson.resolve("config.json"), "{ \"n_layer\": 2,");
        assertThatThrownBy(() -> GptModel.load(notJson))
                .hasMessageContaining(notJson.resolve("config.json").toString())
                .hasMessageContaining("not valid JSON");

        assertConfigRejected("activation_function", JSON.getNodeFactory().textNode("relu"), "relu");
        assertConfigRejected(
                "add_cross_attention", JSON.getNodeFactory().booleanNode(true), "true");
        assertConfigRejected("model_type", JSON.getNodeFactory().textNode("llama"), "llama");
        assertConfigRejected(
                "tie_word_embeddings", JSON.getNodeFactory().booleanNode(false), "false");
        assertConfigRejected("n_head", JSON.getNodeFactory().textNode("four"), "\"four\"");
        assertConfigRejected(
                "n_head", JSON.getNodeFactory().numberNode(3), "not divisible by 3 heads");
        assertConfigRejected("eos_token_id", JSON.getNodeFactory().numberNode(5000), "5000");
    }

    private void assertConfigRejected(String field, JsonNode value, String expectedText)
            throws IOException {
        Path dir = copyFixture("bad-" + field + "-" + value.asText());
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        config.set(field, value);
        Files.writeString(dir.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> GptModel.load(dir))
                .as("%s = %s", field, value)
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("config.json").toString())
                .hasMessageContaining(expectedText);
    }

    @Test
    void wrongOrMissingTensorsAreNamed() throws IOException {
        Map<String, Tensor> original = Safetensors.read(fixture.resolve("model.safetensors"));

        Path wrongShape = copyFixture("wrong-shape");
        Map<String, Tensor> reshaped = new LinkedHashMap<>(original);
        Tensor cAttn = original.get("transformer.h.1.attn.c_attn.weight"); // [64, 192]
        reshaped.put("transformer.h.1.attn.c_attn.weight", transposedShape(cAttn));
        Safetensors.write(wrongShape.resolve("model.safetensors"), reshaped);
        assertThatThrownBy(() -> GptModel.load(wrongShape))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("transformer.h.1.attn.c_attn.weight")
                .hasMessageContaining("[192, 64]")
                .hasMessageContaining("[64, 192]");

        Path missing = copyFixture("missing-tensor");
        Map<String, Tensor> fewer = new LinkedHashMap<>(original);
        fewer.remove("transformer.ln_f.bias");
        Safetensors.write(missing.resolve("model.safetensors"), fewer);
        assertThatThrownBy(() -> GptModel.load(missing))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("lacks tensor \"transformer.ln_f.bias\"");
    }

    @Test
    void aTokenizerLargerThanTheModelIsRejected() throws IOException {
        Path dir = copyFixture("small-vocab");
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        config.put("vocab_size", 512);
        Files.writeString(dir.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> GptModel.load(dir))
                .hasMessageContaining("tokenizer has 1024 token ids")
                .hasMessageContaining("vocab_size is 512");
    }

    private Path copyFixture(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(fixture)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    static float[] logits(GptModel model) {
        int[] ids = model.tokenizer().encode("It is a truth universally acknowledged");
        long[] longs = Arrays.stream(ids).asLongStream().toArray();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray input = m.create(longs, new Shape(1, longs.length));
            return model.gpt()
                    .forward(new ParameterStore(m, false), input, null, false)
                    .toFloatArray();
        }
    }

    private static Tensor transposedShape(Tensor t) {
        long[] s = t.shape();
        return new Tensor(t.dtype(), new long[] {s[1], s[0]}, t.data());
    }

    private static Tensor narrow(Tensor t, DType dtype) {
        float[] values = t.toFloats();
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            int bits = Float.floatToIntBits(v);
            b.putShort(dtype == DType.BF16 ? (short) (bits >>> 16) : toHalf(v));
        }
        return new Tensor(dtype, t.shape(), b.flip());
    }

    /** float32 to f16 by truncation (enough for weights of magnitude well inside f16's range). */
    private static short toHalf(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xff) - 127 + 15;
        if (exponent <= 0) {
            return (short) sign; // flush tiny values to zero
        }
        return (short) (sign | (exponent << 10) | ((bits >>> 13) & 0x3ff));
    }
}

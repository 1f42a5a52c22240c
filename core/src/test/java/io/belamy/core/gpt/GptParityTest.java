package io.belamy.core.gpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.io.Tensor;
import io.belamy.core.testing.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** belamy's GPT against Hugging Face {@code transformers} outputs for the gpt2-tiny fixture. */
class GptParityTest {

    private static GptModel model;
    private static JsonNode reference;
    private static Map<String, Tensor> tensors;

    @BeforeAll
    static void load() throws Exception {
        model = GptModel.load(Fixtures.dir(Fixtures.GPT2_TINY));
        reference = Fixtures.reference(Fixtures.GPT2_TINY);
        tensors = Fixtures.referenceTensors(Fixtures.GPT2_TINY);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void tokenIdsMatchTransformers() {
        JsonNode texts = reference.get("texts");
        for (int i = 0; i < texts.size(); i++) {
            int[] expected = Fixtures.ints(reference.get("token_ids").get(i));
            assertThat(model.tokenizer().encode(texts.get(i).asText()))
                    .as("ids of text %d", i)
                    .containsExactly(expected);
        }
    }

    @Test
    void logitsMatchTransformersWithin1e4() {
        Tensor ids = tensors.get("input_ids");
        float[] expected = tensors.get("logits").toFloats();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray input = m.create(ids.toLongs(), new Shape(ids.shape()));
            float[] actual =
                    model.gpt()
                            .forward(new ParameterStore(m, false), input, null, false)
                            .toFloatArray();
            assertThat(actual).hasSameSizeAs(expected);
            assertThat(maxAbsDiff(actual, expected)).isLessThan(1e-4f);
        }
    }

    @Test
    void lossAndGradientNormsMatchTransformers() {
        Tensor ids = tensors.get("input_ids");
        long[] shape = ids.shape(); // (B, T)
        Gpt gpt = model.gpt();
        try (NDManager m = model.manager().newSubManager()) {
            gpt.freezeParameters(false);
            NDArray all = m.create(ids.toLongs(), new Shape(shape));
            NDArray inputs = all.get(new NDIndex(":, :-1"));
            NDArray targets = all.get(new NDIndex(":, 1:"));
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = gpt.forward(new ParameterStore(m, false), inputs, null, true);
                NDArray l = Gpt.crossEntropy(logits, targets);
                gc.backward(l);
                loss = l.getFloat();
            }
            double expectedLoss = reference.get("loss_labels_eq_inputs").asDouble();
            assertThat((double) loss).isCloseTo(expectedLoss, within(expectedLoss * 1e-5));

            double globalSquared = 0;
            JsonNode perParameter = reference.get("grad_l2");
            for (Map.Entry<String, Parameter> e : gpt.namedParameters().entrySet()) {
                NDArray grad = e.getValue().getArray().getGradient();
                double norm = grad.norm().getFloat();
                globalSquared += norm * norm;
                double expected = perParameter.get(e.getKey()).asDouble();
                assertThat(norm)
                        .as("gradient L2 of %s", e.getKey())
                        .isCloseTo(expected, within(expected * 1e-3));
            }
            double expectedGlobal = reference.get("grad_global_l2").asDouble();
            assertThat(Math.sqrt(globalSquared))
                    .isCloseTo(expectedGlobal, within(expectedGlobal * 1e-3));
        } finally {
            gpt.freezeParameters(true);
        }
    }

    @Test
    void greedyContinuationsMatchTransformers() {
        TextGenerator generator = new TextGenerator(model);
        for (JsonNode g : reference.get("greedy")) {
            int[] promptIds = Fixtures.ints(g.get("prompt_ids"));
            int[] expected = Fixtures.ints(g.get("greedy_new_ids"));
            assertThat(model.tokenizer().encode(g.get("prompt").asText()))
                    .containsExactly(promptIds);
            Generation result =
                    generator.generate(
                            g.get("prompt").asText(),
                            SamplingParams.greedy(expected.length),
                            t -> {});
            assertThat(result.tokenIds())
                    .as("greedy ids for %s", g.get("prompt"))
                    .containsExactly(expected);
            assertThat(result.text()).isEqualTo(g.get("greedy_text").asText());
        }
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}

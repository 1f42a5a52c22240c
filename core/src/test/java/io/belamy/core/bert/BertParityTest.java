package io.belamy.core.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.belamy.core.io.Tensor;
import io.belamy.core.testing.Fixtures;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** belamy's BERT against Hugging Face {@code transformers} outputs for the bert-tiny fixture. */
class BertParityTest {

    private static BertModel model;
    private static JsonNode reference;
    private static Map<String, Tensor> tensors;

    @BeforeAll
    static void load() throws Exception {
        model = BertModel.load(Fixtures.dir(Fixtures.BERT_TINY));
        reference = Fixtures.reference(Fixtures.BERT_TINY);
        tensors = Fixtures.referenceTensors(Fixtures.BERT_TINY);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void tokenIdsWithSpecialTokensMatchTransformers() {
        JsonNode texts = reference.get("texts");
        for (int i = 0; i < texts.size(); i++) {
            assertThat(model.tokenizer().encode(texts.get(i).asText()))
                    .containsExactly(
                            Fixtures.ints(reference.get("token_ids_with_specials").get(i)));
        }
    }

    private static NDArray array(NDManager m, String name) {
        Tensor t = tensors.get(name);
        return m.create(t.toLongs(), new Shape(t.shape()));
    }

    @Test
    void logitsMatchWhereAttendedAndTop5AtEveryMask() {
        long[] shape = tensors.get("input_ids").shape(); // (B, T)
        int v = model.config().vocabSize();
        float[] expected = tensors.get("logits").toFloats();
        long[] mask = tensors.get("attention_mask").toLongs();
        try (NDManager m = model.manager().newSubManager()) {
            float[] actual =
                    model.bert()
                            .forward(
                                    new ParameterStore(m, false),
                                    array(m, "input_ids"),
                                    array(m, "token_type_ids"),
                                    array(m, "attention_mask"),
                                    false)
                            .toFloatArray();
            float maxDiff = 0;
            for (int p = 0; p < mask.length; p++) {
                if (mask[p] == 1) {
                    for (int k = 0; k < v; k++) {
                        maxDiff =
                                Math.max(
                                        maxDiff, Math.abs(actual[p * v + k] - expected[p * v + k]));
                    }
                }
            }
            assertThat(maxDiff).isLessThan(1e-4f);

            JsonNode top5 = reference.get("top5_at_masks");
            for (int b = 0; b < shape[0]; b++) {
                JsonNode positions = reference.get("mask_positions").get(b);
                for (int j = 0; j < positions.size(); j++) {
                    int offset = (int) ((b * shape[1] + positions.get(j).asInt()) * v);
                    int[] top = topK(Arrays.copyOfRange(actual, offset, offset + v), 5);
                    assertThat(top)
                            .as("top-5 of text %d mask %d", b, j)
                            .containsExactly(Fixtures.ints(top5.get(b).get(j)));
                }
            }
        }
    }

    @Test
    void maskedLmLossAndGradientNormsMatchTransformers() {
        Bert bert = model.bert();
        try (NDManager m = model.manager().newSubManager()) {
            bert.freezeParameters(false);
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits =
                        bert.forward(
                                new ParameterStore(m, false),
                                array(m, "input_ids"),
                                array(m, "token_type_ids"),
                                array(m, "attention_mask"),
                                true);
                NDArray l = Bert.maskedLmLoss(logits, array(m, "labels"));
                gc.backward(l);
                loss = l.getFloat();
            }
            double expectedLoss = reference.get("mlm_loss").asDouble();
            assertThat((double) loss).isCloseTo(expectedLoss, within(expectedLoss * 1e-5));

            JsonNode perParameter = reference.get("grad_l2");
            double squared = 0;
            for (Map.Entry<String, Parameter> e : bert.namedParameters().entrySet()) {
                double norm = e.getValue().getArray().getGradient().norm().getFloat();
                squared += norm * norm;
                double expected = perParameter.get(e.getKey()).asDouble();
                // key biases get (almost) no gradient: softmax is invariant to them
                double tolerance = expected < 1e-5 ? 1e-5 : expected * 1e-3;
                assertThat(norm)
                        .as("gradient L2 of %s", e.getKey())
                        .isCloseTo(expected, within(tolerance));
            }
            double global = reference.get("grad_global_l2").asDouble();
            assertThat(Math.sqrt(squared)).isCloseTo(global, within(global * 1e-3));
        } finally {
            bert.freezeParameters(true);
        }
    }

    @Test
    void fillMaskGivesTheReferenceTop5AtEachMask() {
        long[] maskedIds = tensors.get("input_ids").toLongs();
        long[] attention = tensors.get("attention_mask").toLongs();
        int t = (int) tensors.get("input_ids").shape()[1];
        int length = (int) Arrays.stream(attention, 0, t).sum();
        StringBuilder text = new StringBuilder(Fixtures.bertMaskedText(model));
        assertThat(model.tokenizer().encode(text.toString()))
                .as("the text tokenizes back to the reference input")
                .containsExactly(
                        Arrays.stream(maskedIds, 0, length).mapToInt(x -> (int) x).toArray());

        FillMask.Result result = new FillMask(model).fill(text.toString(), 5);
        JsonNode top5 = reference.get("top5_at_masks").get(0);
        assertThat(result.masks()).hasSize(4);
        for (int j = 0; j < 4; j++) {
            assertThat(
                            result.masks().get(j).candidates().stream()
                                    .mapToInt(FillMask.Candidate::tokenId)
                                    .toArray())
                    .containsExactly(Fixtures.ints(top5.get(j)));
        }
        assertThat(result.masks().get(0).filled().tokenId()).isEqualTo(top5.get(0).get(0).asInt());
        assertThat(result.text()).doesNotContain("[MASK]");
    }

    private static int[] topK(float[] values, int k) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(values[b], values[a]));
        return Arrays.stream(order, 0, k).mapToInt(Integer::intValue).toArray();
    }
}

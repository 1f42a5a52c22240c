package io.belamy.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.belamy.core.bert.BertConfig;
import io.belamy.core.bert.BertModel;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.nn.Losses;
import io.belamy.core.tokenizer.ByteMlmVocabulary;
import io.belamy.core.tokenizer.Tokenizers;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Gradients do not depend on the garbage collector: a collection between the forward and the
 * backward pass (with the freed memory then overwritten) gives the same gradients as none. Guards
 * against operands that autograd keeps but DJL frees (see {@code Scalars}).
 */
class GarbageCollectionTest {

    @Test
    void gptGradientsSurviveACollectionBeforeBackward() throws Exception {
        try (GptModel model =
                GptModel.create(
                        new GptConfig(257, 32, 32, 2, 4, 128, 1e-5f, 0f, 256, 256),
                        Tokenizers.bytes(),
                        3)) {
            assertSameGradients(model, causalBatch());
        }
    }

    @Test
    void bertGradientsSurviveACollectionBeforeBackward() throws Exception {
        BertConfig config =
                new BertConfig(
                        ByteMlmVocabulary.SIZE,
                        32,
                        32,
                        2,
                        4,
                        64,
                        2,
                        1e-12f,
                        0f,
                        0f,
                        ByteMlmVocabulary.PAD);
        try (BertModel model = BertModel.create(config, ByteMlmVocabulary.tokenizer(), 3)) {
            long[] ids = new SplittableRandom(2).longs(4 * 32, 0, 256).toArray();
            long[] targets = ids.clone();
            for (int i = 0; i < targets.length; i++) {
                if (i % 5 != 0) {
                    targets[i] = Losses.IGNORE;
                }
            }
            long[] mask = new long[ids.length];
            java.util.Arrays.fill(mask, 1);
            assertSameGradients(model, new TokenBatch(4, 32, ids, targets, mask, 4 * 32));
        }
    }

    private static TokenBatch causalBatch() {
        long[] ids = new SplittableRandom(1).longs(4 * 33, 0, 257).toArray();
        List<PackedSequence> windows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            windows.add(
                    new PackedSequence(
                            java.util.Arrays.copyOfRange(ids, i * 33, i * 33 + 33), 33, 32));
        }
        return Batches.causal(windows);
    }

    private static void assertSameGradients(LanguageModel model, TokenBatch batch)
            throws Exception {
        model.freeze(false);
        try {
            Map<String, float[]> quiet = gradients(model, batch, false);
            Map<String, float[]> collected = gradients(model, batch, true);
            for (String name : quiet.keySet()) {
                assertThat(collected.get(name)).as(name).containsExactly(quiet.get(name));
            }
        } finally {
            model.freeze(true);
        }
    }

    private static Map<String, float[]> gradients(
            LanguageModel model, TokenBatch batch, boolean collect) throws Exception {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = model.manager().newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.loss(new ParameterStore(m, false), m, batch, true);
                if (collect) {
                    churn();
                }
                gc.backward(loss);
            }
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                try (NDArray g = e.getValue().getArray().getGradient()) {
                    out.put(e.getKey(), g.toFloatArray());
                    g.subi(g); // zero for the next pass
                }
            }
        }
        return out;
    }

    /** Collects garbage (freeing unreachable direct buffers), then reuses and dirties memory. */
    private static void churn() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 16) * 4);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
        }
    }
}

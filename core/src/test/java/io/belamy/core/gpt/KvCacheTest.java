package io.belamy.core.gpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.belamy.core.Djl;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Decoding with the KV cache must give the logits of a full recompute. */
class KvCacheTest {

    private static final int POSITIONS = 150;

    @Test
    void cachedLogitsEqualFullRecomputeOver150Positions() {
        GptConfig config = GptConfig.tiny();
        try (NDManager m = Djl.newManager()) {
            Gpt gpt = Gpt.create(config, m, 7);
            // Twice GPT-2's init scale: more peaked attention, so a position that sees the wrong
            // keys gives visibly different logits (larger scales only amplify float32 rounding).
            for (Parameter p : gpt.namedParameters().values()) {
                p.getArray().muli(2);
            }
            long[] ids = new SplittableRandom(3).longs(POSITIONS, 0, config.vocabSize()).toArray();
            ParameterStore ps = new ParameterStore(m, false);

            NDArray all = m.create(ids, new Shape(1, POSITIONS));
            float[] full = gpt.forward(ps, all, null, false).toFloatArray(); // (1, P, V)
            assertThat(spread(full)).as("logits are not degenerate").isGreaterThan(1f);

            int v = config.vocabSize();
            float maxDiff = 0;
            try (KvCache cache = gpt.newCache(m, 1, POSITIONS)) {
                int prefill = 10;
                float[] first =
                        gpt.forward(ps, all.get(new NDIndex(":, :{}", prefill)), cache, false)
                                .toFloatArray();
                maxDiff = Math.max(maxDiff, maxAbsDiff(first, 0, full, 0, prefill * v));
                for (int pos = prefill; pos < POSITIONS; pos++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray one = step.create(new long[] {ids[pos]}, new Shape(1, 1));
                        float[] cached = gpt.forward(ps, one, cache, false).toFloatArray();
                        maxDiff = Math.max(maxDiff, maxAbsDiff(cached, 0, full, pos * v, v));
                    }
                }
                assertThat(cache.length()).isEqualTo(POSITIONS);
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-5f);
            // and neighbouring positions differ far more than that
            assertThat(maxAbsDiff(full, 100 * v, full, 101 * v, v)).isGreaterThan(1e-2f);
        }
    }

    @Test
    void aFullCacheRefusesMorePositions() {
        GptConfig config = GptConfig.tiny();
        try (NDManager m = Djl.newManager()) {
            Gpt gpt = Gpt.create(config, m, 1);
            ParameterStore ps = new ParameterStore(m, false);
            try (KvCache cache = gpt.newCache(m, 1, 4)) {
                gpt.forward(ps, m.create(new long[] {1, 2, 3, 4}, new Shape(1, 4)), cache, false);
                assertThatThrownBy(
                                () ->
                                        gpt.forward(
                                                ps,
                                                m.create(new long[] {5}, new Shape(1, 1)),
                                                cache,
                                                false))
                        .hasMessageContaining("KV cache full: 4 + 1 positions > capacity 4");
            }
            assertThatThrownBy(() -> gpt.newCache(m, 1, config.contextLength() + 1))
                    .hasMessageContaining("cache capacity 257");
        }
    }

    @Test
    void sequencesLongerThanTheContextAreRefused() {
        GptConfig config = new GptConfig(20, 8, 8, 1, 2, 32, 1e-5f, 0f, 0, 0);
        try (NDManager m = Djl.newManager()) {
            Gpt gpt = Gpt.create(config, m, 1);
            NDArray nine = m.create(new long[9], new Shape(1, 9));
            assertThatThrownBy(() -> gpt.forward(new ParameterStore(m, false), nine, null, false))
                    .hasMessageContaining("0 cached + 9 new positions exceed the context length 8");
        }
    }

    private static float maxAbsDiff(float[] a, int aFrom, float[] b, int bFrom, int n) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, Math.abs(a[aFrom + i] - b[bFrom + i]));
        }
        return max;
    }

    private static float spread(float[] a) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float x : a) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return max - min;
    }
}

package io.belamy.core.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private static final int VOCAB = 200;

    @Test
    void topKNeverEmitsATokenOutsideTheKBest() {
        float[] logits = randomLogits(1, 1.5);
        int k = 7;
        Set<Integer> best = new HashSet<>();
        for (int id : Sampler.candidates(logits.clone(), k)) {
            best.add(id);
        }
        assertThat(best).hasSize(k);
        // the k best really are the k largest logits
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        for (int id : best) {
            assertThat(logits[id]).isGreaterThanOrEqualTo(sorted[VOCAB - k]);
        }

        Set<Integer> drawn = new HashSet<>();
        SamplingParams params = params(1.0f, k, 1.0f);
        for (long seed = 0; seed < 2000; seed++) {
            drawn.add(new Sampler(params, seed, VOCAB).next(logits.clone()));
        }
        assertThat(best).containsAll(drawn);
        assertThat(drawn).as("all k are reachable").hasSize(k);
    }

    @Test
    void topPNeverEmitsATokenOutsideTheNucleus() {
        float[] logits = randomLogits(2, 3.0);
        float p = 0.6f;
        // nucleus by definition: best-first tokens until their probability reaches p
        int[] order = Sampler.candidates(logits.clone(), 0);
        double[] probs = softmax(logits);
        Set<Integer> nucleus = new HashSet<>();
        double cumulative = 0;
        for (int id : order) {
            nucleus.add(id);
            cumulative += probs[id];
            if (cumulative >= p) {
                break;
            }
        }
        assertThat(nucleus.size()).isBetween(2, VOCAB / 2);

        Set<Integer> drawn = new HashSet<>();
        SamplingParams params = params(1.0f, 0, p);
        for (long seed = 0; seed < 3000; seed++) {
            drawn.add(new Sampler(params, seed, VOCAB).next(logits.clone()));
        }
        assertThat(nucleus).containsAll(drawn);
        assertThat(drawn.size()).isGreaterThan(1);
    }

    @Test
    void theKBestAreTheFirstKOfTheFullOrderTiesIncluded() {
        float[] logits = randomLogits(5, 2.0);
        for (int i = 0; i < VOCAB; i += 9) {
            logits[i] = 1.25f; // ties, broken towards the lower id
        }
        int[] full = Sampler.candidates(logits.clone(), 0);
        assertThat(full).hasSize(VOCAB);
        for (int k : new int[] {1, 2, 7, 50, VOCAB - 1, VOCAB}) {
            assertThat(Sampler.candidates(logits.clone(), k))
                    .as("k = %d", k)
                    .containsExactly(Arrays.copyOf(full, k));
        }
    }

    @Test
    void withoutTopKOrTopPDrawsFollowTheSoftmax() {
        float[] logits = {1f, 0f, 2f, -1f, 0.5f};
        double[] probs = softmax(logits);
        SamplingParams params = params(1.0f, 0, 1.0f);
        int n = 40_000;
        int[] counts = new int[logits.length];
        Sampler sampler = new Sampler(params, 7, logits.length);
        for (int i = 0; i < n; i++) {
            counts[sampler.next(logits.clone())]++;
        }
        for (int t = 0; t < logits.length; t++) {
            double sd = Math.sqrt(n * probs[t] * (1 - probs[t]));
            assertThat((double) counts[t])
                    .as("token %d", t)
                    .isCloseTo(n * probs[t], within(5 * sd));
        }
        assertThatThrownBy(() -> new Sampler(params, 1, 3).next(new float[] {0f, Float.NaN, 1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token 1 is NaN");
    }

    @Test
    void topPAloneFollowsTheNucleusRenormalized() {
        float[] logits = {1f, 3f, -1f, 2f, 0f}; // best first: 1, 3, 0, 4, 2
        double[] probs = softmax(logits);
        float p = 0.8f; // 1 and 3 hold 0.87 of it
        SamplingParams params = params(1.0f, 0, p);
        int n = 40_000;
        int[] counts = new int[logits.length];
        Sampler sampler = new Sampler(params, 11, logits.length);
        for (int i = 0; i < n; i++) {
            counts[sampler.next(logits.clone())]++;
        }
        double kept = probs[1] + probs[3];
        assertThat(counts[0] + counts[2] + counts[4]).isZero();
        double sd = Math.sqrt(n * (probs[1] / kept) * (probs[3] / kept));
        assertThat((double) counts[1]).isCloseTo(n * probs[1] / kept, within(5 * sd));

        // a flat distribution: the nucleus is half the vocabulary (ties: lower ids first), more
        // than the first 64 candidates looked at
        float[] flat = new float[1000];
        Set<Integer> drawn = new HashSet<>();
        Sampler half = new Sampler(params(1.0f, 0, 0.5f), 3, flat.length);
        for (int i = 0; i < 5000; i++) {
            drawn.add(half.next(flat.clone()));
        }
        assertThat(drawn).allMatch(id -> id < 500).anyMatch(id -> id >= 64);
    }

    @Test
    void theNucleusSelectedWithoutSortingIsTheBestFirstPrefix() {
        SplittableRandom r = new SplittableRandom(17);
        for (int vocab : new int[] {1, 5, 17, 200, 1000, 50_257}) {
            for (double scale : new double[] {0, 0.5, 2, 8}) {
                float[] logits = new float[vocab];
                for (int i = 0; i < vocab; i++) {
                    logits[i] = (float) (r.nextGaussian() * scale);
                }
                int[] order = Sampler.candidates(logits.clone(), 0); // best first, ties by id
                double[] weights = new double[vocab];
                double total = 0;
                for (int i = 0; i < vocab; i++) {
                    weights[i] = Math.exp(logits[i]);
                    total += weights[i];
                }
                for (float p : new float[] {0.01f, 0.3f, 0.9f, 0.95f, 0.999f}) {
                    Set<Integer> expected = new HashSet<>();
                    double cumulative = 0;
                    for (int id : order) {
                        expected.add(id);
                        cumulative += weights[id];
                        if (cumulative >= p * total) {
                            break;
                        }
                    }
                    // keys ordered as the full order (rank in the high bits, the id in the low)
                    long[] keys = new long[vocab];
                    for (int rank = 0; rank < vocab; rank++) {
                        keys[rank] = ((long) rank << 32) | order[rank];
                    }
                    for (int i = vocab - 1; i > 0; i--) { // shuffled
                        int j = r.nextInt(i + 1);
                        long t = keys[i];
                        keys[i] = keys[j];
                        keys[j] = t;
                    }
                    double[] keyWeights = new double[vocab];
                    for (int i = 0; i < vocab; i++) {
                        keyWeights[i] = weights[(int) keys[i]];
                    }
                    int kept = Sampler.selectNucleus(keys, keyWeights, p * total);
                    Set<Integer> selected = new HashSet<>();
                    for (int i = 0; i < kept; i++) {
                        selected.add((int) keys[i]);
                        assertThat(keyWeights[i]).isEqualTo(weights[(int) keys[i]]);
                    }
                    assertThat(selected)
                            .as("vocabulary %d, scale %s, p %s", vocab, scale, p)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void greedyTakesTheLargestLogitAndTheLowerIdOnTies() {
        float[] logits = {0.5f, 3f, -1f, 3f, 2.9f};
        Sampler greedy = new Sampler(SamplingParams.greedy(1), 0, logits.length);
        assertThat(greedy.next(logits.clone())).isEqualTo(1);
        assertThat(Sampler.candidates(logits, 2)).containsExactly(1, 3);
    }

    @Test
    void sameSeedSameDrawsDifferentSeedsDifferentDraws() {
        SamplingParams params = params(1.0f, 0, 1.0f);
        float[] logits = new float[VOCAB]; // uniform: maximal entropy
        int[] a = draws(params, 42, logits, 50);
        int[] b = draws(params, 42, logits, 50);
        int[] c = draws(params, 43, logits, 50);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        SamplingParams params =
                SamplingParams.builder().temperature(0).repetitionPenalty(2f).build();
        Sampler sampler = new Sampler(params, 0, 4);
        sampler.observe(new int[] {0, 1});
        float[] logits = {4f, -1f, 2.5f, -3f};
        // 0: 4 -> 2 (now below token 2's 2.5)
        assertThat(sampler.next(logits)).isEqualTo(2);
        assertThat(logits).containsExactly(2f, -2f, 2.5f, -3f);
    }

    @Test
    void temperatureSharpensTowardsTheBestToken() {
        float[] logits = randomLogits(5, 1.0);
        int best = Sampler.argMax(logits);
        logits[best] += 1f; // a clear favourite
        int cold = 0;
        int hot = 0;
        for (long seed = 0; seed < 500; seed++) {
            cold +=
                    new Sampler(params(0.05f, 0, 1f), seed, VOCAB).next(logits.clone()) == best
                            ? 1
                            : 0;
            hot += new Sampler(params(5f, 0, 1f), seed, VOCAB).next(logits.clone()) == best ? 1 : 0;
        }
        assertThat(cold).isGreaterThan(450);
        assertThat(hot).isLessThan(100);
    }

    @Test
    void nanLogitsAreReported() {
        float[] logits = {1f, Float.NaN};
        assertThatThrownBy(() -> new Sampler(SamplingParams.greedy(1), 0, 2).next(logits))
                .hasMessage("logit of token 1 is NaN");
    }

    @Test
    void invalidParamsAreRejectedWithTheValue() {
        assertThatThrownBy(() -> SamplingParams.builder().temperature(-0.5f).build())
                .hasMessageContaining("temperature must be a finite number >= 0")
                .hasMessageContaining("-0.5");
        assertThatThrownBy(() -> SamplingParams.builder().topP(0f).build())
                .hasMessage("topP must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> SamplingParams.builder().topP(1.5f).build())
                .hasMessage("topP must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> SamplingParams.builder().maxTokens(0).build())
                .hasMessage("maxTokens must be >= 1, got 0");
        assertThatThrownBy(() -> SamplingParams.builder().topK(-1).build())
                .hasMessage("topK must be >= 0 (0 = off), got -1");
        assertThatThrownBy(() -> SamplingParams.builder().repetitionPenalty(0f).build())
                .hasMessageContaining("repetitionPenalty must be a finite number > 0");
        assertThatThrownBy(() -> SamplingParams.builder().stop(List.of("")).build())
                .hasMessageContaining("stop strings must have 1 to 256 characters");
        assertThatThrownBy(() -> Truncation.parse("middle"))
                .hasMessage("truncation \"middle\" is not one of: none, left");
    }

    private static int[] draws(SamplingParams params, long seed, float[] logits, int n) {
        Sampler s = new Sampler(params, seed, logits.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.next(logits.clone());
        }
        return out;
    }

    private static SamplingParams params(float temperature, int topK, float topP) {
        return SamplingParams.builder().temperature(temperature).topK(topK).topP(topP).build();
    }

    private static float[] randomLogits(long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] logits = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            logits[i] = (float) (r.nextDouble(-1, 1) * scale * 3);
        }
        return logits;
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}

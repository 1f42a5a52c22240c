package io.belamy.core.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks next tokens from logits by {@link SamplingParams}: repetition penalty, then greedy or
 * temperature, top-k, top-p and a draw from a generator seeded once per request, so the same seed
 * gives the same tokens.
 *
 * <p>Ties are broken towards the lower token id (as {@code torch.argmax} does), so "the k best" is
 * always exactly k tokens.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;
    private final boolean[] seen;

    /**
     * @param params how to sample
     * @param seed seed of the draw
     * @param vocabSize length of the logits vectors
     */
    public Sampler(SamplingParams params, long seed, int vocabSize) {
        this.params = params;
        this.random = new SplittableRandom(seed);
        this.seen = params.repetitionPenalty() != 1f ? new boolean[vocabSize] : null;
    }

    /** Records a token of the prompt or output, for the repetition penalty. */
    public void observe(int token) {
        if (seen != null) {
            seen[token] = true;
        }
    }

    /** Records the prompt's tokens. */
    public void observe(int[] tokens) {
        for (int t : tokens) {
            observe(t);
        }
    }

    /**
     * The next token. Modifies {@code logits} in place.
     *
     * @throws IllegalArgumentException when the logits contain NaN
     */
    public int next(float[] logits) {
        applyRepetitionPenalty(logits);
        if (params.isGreedy()) {
            return argMax(logits);
        }
        float inverseTemperature = 1f / params.temperature();
        for (int i = 0; i < logits.length; i++) {
            logits[i] *= inverseTemperature;
        }
        int[] candidates = candidates(logits, params.topK()); // best first
        return draw(logits, candidates, params.topP());
    }

    private void applyRepetitionPenalty(float[] logits) {
        if (seen == null) {
            return;
        }
        float penalty = params.repetitionPenalty();
        for (int i = 0; i < logits.length; i++) {
            if (seen[i]) {
                logits[i] = logits[i] > 0 ? logits[i] / penalty : logits[i] * penalty;
            }
        }
    }

    /** Index of the largest value; the lowest index among equals. */
    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Token ids ordered from most to least likely (ties: lower id first), keeping the best {@code
     * k} when k &gt; 0.
     */
    static int[] candidates(float[] logits, int k) {
        int n = logits.length;
        int keep = k > 0 ? Math.min(k, n) : n;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            keys[i] = orderKey(logits[i], i);
        }
        Arrays.sort(keys);
        int[] ids = new int[keep];
        for (int i = 0; i < keep; i++) {
            ids[i] = (int) keys[i];
        }
        return ids;
    }

    /** A key whose ascending order is descending logit, then ascending id. */
    private static long orderKey(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // monotone in the float's value
        long descending = -(long) ascending;
        return (descending << 32) | id;
    }

    /**
     * Draws from the softmax over {@code candidates} after keeping the smallest best-first prefix
     * whose probability reaches {@code topP}.
     */
    private int draw(float[] logits, int[] candidates, float topP) {
        double max = logits[candidates[0]];
        double[] weights = new double[candidates.length];
        double total = 0;
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = Math.exp(logits[candidates[i]] - max);
            total += weights[i];
        }
        int kept = nucleusSize(weights, total, topP);
        double keptTotal = 0;
        for (int i = 0; i < kept; i++) {
            keptTotal += weights[i];
        }
        double u = random.nextDouble() * keptTotal;
        for (int i = 0; i < kept; i++) {
            u -= weights[i];
            if (u < 0) {
                return candidates[i];
            }
        }
        return candidates[kept - 1]; // rounding left u at ~0
    }

    /** Number of best-first weights whose share of {@code total} first reaches {@code topP}. */
    static int nucleusSize(double[] weights, double total, float topP) {
        if (topP >= 1f) {
            return weights.length;
        }
        double target = topP * total;
        double cumulative = 0;
        for (int i = 0; i < weights.length; i++) {
            cumulative += weights[i];
            if (cumulative >= target) {
                return i + 1;
            }
        }
        return weights.length;
    }
}

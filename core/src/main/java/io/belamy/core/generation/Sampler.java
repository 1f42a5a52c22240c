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
        int k = params.topK();
        if ((k <= 0 || k >= logits.length) && params.topP() >= 1f) {
            return drawAny(logits); // every token a candidate: their order does not matter
        }
        if (k <= 0 || k >= logits.length) {
            return drawNucleus(logits, params.topP());
        }
        int[] candidates = candidates(logits, k); // best first
        return draw(logits, candidates, params.topP());
    }

    /**
     * Top-p over the whole vocabulary without sorting it. The nucleus is the shortest best-first
     * prefix holding p of the probability. A language model's is usually small, so the best 64
     * tokens are looked at first (one pass, a heap of 64); when they hold less than p, a selection
     * over the order keys finds the nucleus in linear expected time (the sort it replaces cost 3-5
     * ms per token with GPT-2's vocabulary, and a flat distribution's nucleus is most of it).
     * Tokens are drawn in the order they were found: the same distribution, and the same token for
     * the same seed and logits.
     */
    private int drawNucleus(float[] logits, float topP) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            max = Math.max(max, checked(logits, i));
        }
        int n = logits.length;
        double[] weights = new double[n]; // by token id; below, by position in keys
        double total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp(logits[i] - max);
            total += weights[i];
        }
        double target = topP * total;
        if (n > 64) {
            int[] best = best(logits, 64);
            double[] bestWeights = new double[best.length];
            double cumulative = 0;
            for (int i = 0; i < best.length; i++) {
                bestWeights[i] = weights[best[i]];
                cumulative += bestWeights[i];
                if (cumulative >= target) {
                    return drawFrom(best, bestWeights, i + 1, cumulative);
                }
            }
        }
        long[] keys = new long[n]; // from here weights[i] is the weight of token (int) keys[i]
        for (int i = 0; i < n; i++) {
            keys[i] = orderKey(logits[i], i);
        }
        int kept = selectNucleus(keys, weights, target);
        int[] nucleus = new int[kept];
        double keptTotal = 0;
        for (int i = 0; i < kept; i++) {
            nucleus[i] = (int) keys[i];
            keptTotal += weights[i];
        }
        return drawFrom(nucleus, weights, kept, keptTotal);
    }

    /**
     * Moves the nucleus to the front: afterwards keys [0, result) are, in some order, the shortest
     * best-first prefix of order keys whose weights sum to at least {@code target} (at least one
     * token; all of them when rounding leaves the sum short). {@code weights[i]} belongs to {@code
     * keys[i]} and moves with it.
     */
    static int selectNucleus(long[] keys, double[] weights, double target) {
        int lo = 0; // [0, lo) is in the nucleus
        int hi = keys.length; // it ends within (lo, hi]
        double need = target; // target less the weight of [0, lo)
        while (hi - lo > 16) {
            swap(keys, weights, medianOfThree(keys, lo, (lo + hi) >>> 1, hi - 1), hi - 1);
            long pivot = keys[hi - 1];
            int store = lo;
            double better = 0;
            for (int i = lo; i < hi - 1; i++) {
                if (keys[i] < pivot) { // a smaller key is a better token
                    better += weights[i];
                    swap(keys, weights, i, store++);
                }
            }
            swap(keys, weights, store, hi - 1); // [lo, store) better than the pivot, at store
            double withPivot = better + weights[store];
            if (better >= need && store > lo) {
                hi = store;
            } else if (withPivot >= need) {
                return store + 1;
            } else {
                need -= withPivot;
                lo = store + 1;
            }
        }
        for (int i = lo; i < hi; i++) { // insertion sort of the last few
            for (int j = i; j > lo && keys[j] < keys[j - 1]; j--) {
                swap(keys, weights, j, j - 1);
            }
        }
        for (int i = lo; i < hi; i++) {
            need -= weights[i];
            if (need <= 0) {
                return i + 1;
            }
        }
        return Math.max(hi, 1);
    }

    private static int medianOfThree(long[] keys, int a, int b, int c) {
        long x = keys[a];
        long y = keys[b];
        long z = keys[c];
        if (x < y) {
            return y < z ? b : (x < z ? c : a);
        }
        return x < z ? a : (y < z ? c : b);
    }

    private static void swap(long[] keys, double[] weights, int i, int j) {
        long t = keys[i];
        keys[i] = keys[j];
        keys[j] = t;
        double w = weights[i];
        weights[i] = weights[j];
        weights[j] = w;
    }

    /** Draws one of the first {@code kept} candidates in proportion to their weights. */
    private int drawFrom(int[] candidates, double[] weights, int kept, double keptTotal) {
        double u = random.nextDouble() * keptTotal;
        for (int i = 0; i < kept; i++) {
            u -= weights[i];
            if (u < 0) {
                return candidates[i];
            }
        }
        return candidates[kept - 1]; // rounding left u at ~0
    }

    /**
     * Draws from the softmax over all tokens, walking them by id: the same distribution as a
     * best-first walk without sorting the vocabulary (2.5 ms for GPT-2's 50,257 tokens, per token
     * and request).
     */
    private int drawAny(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (Float.isNaN(logits[i])) {
                throw new IllegalArgumentException("logit of token " + i + " is NaN");
            }
            max = Math.max(max, logits[i]);
        }
        double[] weights = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp(logits[i] - max);
            total += weights[i];
        }
        double u = random.nextDouble() * total;
        int last = 0;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] > 0) {
                last = i;
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left u at ~0
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
        if (k > 0 && k < n) {
            return best(logits, k);
        }
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = orderKey(checked(logits, i), i);
        }
        Arrays.sort(keys);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = (int) keys[i];
        }
        return ids;
    }

    /**
     * The k best token ids, best first, without sorting the vocabulary: a heap of the k smallest
     * order keys (its root the largest of them), then the k sorted.
     */
    private static int[] best(float[] logits, int k) {
        long[] heap = new long[k];
        int size = 0;
        for (int i = 0; i < logits.length; i++) {
            long key = orderKey(checked(logits, i), i);
            if (size < k) {
                heap[size] = key;
                siftUp(heap, size++);
            } else if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, k);
            }
        }
        Arrays.sort(heap);
        int[] ids = new int[k];
        for (int i = 0; i < k; i++) {
            ids[i] = (int) heap[i];
        }
        return ids;
    }

    /** Max-heap: moves entry {@code i} up to its place. */
    private static void siftUp(long[] heap, int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent] >= heap[i]) {
                return;
            }
            long t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    /** Max-heap of {@code size} entries: moves the root down to its place. */
    private static void siftDown(long[] heap, int size) {
        int i = 0;
        while (true) {
            int largest = i;
            int left = 2 * i + 1;
            int right = left + 1;
            if (left < size && heap[left] > heap[largest]) {
                largest = left;
            }
            if (right < size && heap[right] > heap[largest]) {
                largest = right;
            }
            if (largest == i) {
                return;
            }
            long t = heap[largest];
            heap[largest] = heap[i];
            heap[i] = t;
            i = largest;
        }
    }

    private static float checked(float[] logits, int i) {
        if (Float.isNaN(logits[i])) {
            throw new IllegalArgumentException("logit of token " + i + " is NaN");
        }
        return logits[i];
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
        return drawFrom(candidates, weights, kept, keptTotal);
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

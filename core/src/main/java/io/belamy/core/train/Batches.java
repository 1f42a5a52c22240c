package io.belamy.core.train;

import io.belamy.core.nn.Losses;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/** Turns packed sequences into training batches. */
public final class Batches {

    private Batches() {}

    /**
     * A causal LM batch from windows of T + 1 tokens: inputs are the first T, targets the last T.
     */
    public static TokenBatch causal(List<PackedSequence> windows) {
        int b = windows.size();
        int t = windows.get(0).tokens().length - 1;
        long[] inputs = new long[b * t];
        long[] targets = new long[b * t];
        long tokens = 0;
        for (int i = 0; i < b; i++) {
            long[] w = windows.get(i).tokens();
            if (w.length != t + 1) {
                throw new IllegalArgumentException(
                        "windows must all have " + (t + 1) + " tokens, got " + w.length);
            }
            System.arraycopy(w, 0, inputs, i * t, t);
            System.arraycopy(w, 1, targets, i * t, t);
            tokens += windows.get(i).trainTokens();
        }
        return new TokenBatch(b, t, inputs, targets, null, tokens);
    }

    /**
     * A masked LM batch: of the real, non-special tokens, a share {@code probability} is selected
     * (at least one per sequence); of those 80% become {@code [MASK]}, 10% a random token, 10%
     * stay. Targets are the original ids at selected positions and -100 elsewhere.
     *
     * @param seed decides the masking; the same seed gives the same batch
     */
    public static TokenBatch masked(
            List<PackedSequence> sequences,
            double probability,
            int maskId,
            int vocabSize,
            Set<Integer> special,
            long seed) {
        int b = sequences.size();
        int t = sequences.get(0).tokens().length;
        SplittableRandom random = new SplittableRandom(seed);
        long[] inputs = new long[b * t];
        long[] targets = new long[b * t];
        long[] mask = new long[b * t];
        long tokens = 0;
        for (int i = 0; i < b; i++) {
            PackedSequence s = sequences.get(i);
            long[] ids = s.tokens();
            int offset = i * t;
            int selected = 0;
            int candidates = 0;
            for (int p = 0; p < t; p++) {
                inputs[offset + p] = ids[p];
                targets[offset + p] = Losses.IGNORE;
                mask[offset + p] = p < s.realLength() ? 1 : 0;
                boolean eligible = p < s.realLength() && !special.contains((int) ids[p]);
                if (eligible) {
                    candidates++;
                    if (random.nextDouble() < probability) {
                        select(
                                inputs,
                                targets,
                                offset + p,
                                ids[p],
                                maskId,
                                vocabSize,
                                special,
                                random);
                        selected++;
                    }
                }
            }
            if (selected == 0 && candidates > 0) {
                int pick = random.nextInt(candidates);
                for (int p = 0; p < s.realLength(); p++) {
                    if (!special.contains((int) ids[p]) && pick-- == 0) {
                        select(
                                inputs,
                                targets,
                                offset + p,
                                ids[p],
                                maskId,
                                vocabSize,
                                special,
                                random);
                        break;
                    }
                }
            }
            tokens += s.trainTokens();
        }
        return new TokenBatch(b, t, inputs, targets, mask, tokens);
    }

    private static void select(
            long[] inputs,
            long[] targets,
            int at,
            long original,
            int maskId,
            int vocabSize,
            Set<Integer> special,
            SplittableRandom random) {
        targets[at] = original;
        double r = random.nextDouble();
        if (r < 0.8) {
            inputs[at] = maskId;
        } else if (r < 0.9) {
            int replacement;
            do {
                replacement = random.nextInt(vocabSize);
            } while (special.contains(replacement));
            inputs[at] = replacement;
        }
    }
}

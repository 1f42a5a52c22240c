package io.belamy.core.train;

import java.util.Arrays;

/**
 * One training or evaluation batch, (B, T) row-major.
 *
 * @param inputs token ids fed to the model
 * @param targets what each position should predict ({@code -100}: not scored)
 * @param attentionMask 1 for real tokens, 0 for padding; null when nothing is padded
 * @param tokens tokens this batch trains on (counted once per token of the stream)
 */
public record TokenBatch(
        int batchSize,
        int length,
        long[] inputs,
        long[] targets,
        long[] attentionMask,
        long tokens) {

    public TokenBatch {
        int n = batchSize * length;
        if (inputs.length != n
                || targets.length != n
                || (attentionMask != null && attentionMask.length != n)) {
            throw new IllegalArgumentException(
                    "batch arrays must have "
                            + batchSize
                            + " x "
                            + length
                            + " = "
                            + n
                            + " entries");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenBatch b
                && batchSize == b.batchSize
                && length == b.length
                && tokens == b.tokens
                && Arrays.equals(inputs, b.inputs)
                && Arrays.equals(targets, b.targets)
                && Arrays.equals(attentionMask, b.attentionMask);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputs) * 31 + Arrays.hashCode(targets);
    }
}

package io.belamy.core.train;

import java.util.Arrays;

/**
 * One training sequence cut from the token stream.
 *
 * @param tokens the ids (padded for BERT)
 * @param realLength ids before any padding
 * @param trainTokens tokens of the stream this sequence trains on (each counted in one sequence)
 */
public record PackedSequence(long[] tokens, int realLength, int trainTokens) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PackedSequence p
                && realLength == p.realLength
                && trainTokens == p.trainTokens
                && Arrays.equals(tokens, p.tokens);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return "PackedSequence["
                + tokens.length
                + " ids, "
                + realLength
                + " real, "
                + trainTokens
                + " trained]";
    }
}

package io.belamy.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs a stream of documents into GPT training sequences: documents joined by the end-of-text
 * token, cut into windows of T + 1 tokens that overlap by one, so that every token of the stream is
 * a prediction target exactly once (inputs = window[0..T), targets = window[1..T]).
 *
 * <p>The stream starts with a synthetic end-of-text token (the first input), as GPT-2's training
 * data does. Tokens not yet in a complete window are {@link #pending() pending}: they are kept (in
 * Flink state) and trained once more text arrives.
 *
 * <pre>{@code
 * CausalPacker p = new CausalPacker(4, 0);   // T = 4, EOS = 0
 * p.add(new int[] {5, 6, 7}, false);           // []  (pending: 0 5 6 7)
 * p.add(new int[] {8, 9}, true);               // [[0 5 6 7 8]]  (pending: 8 9 0)
 * }</pre>
 */
public final class CausalPacker {

    private final int length;
    private final int eos;
    private long[] buffer;
    private int size;

    /**
     * @param length T, the model's input length
     * @param eos end-of-text id joining documents, or -1 for none (the stream's first token then
     *     opens the first window and is never a target)
     */
    public CausalPacker(int length, int eos) {
        if (length < 1) {
            throw new IllegalArgumentException("sequence length must be >= 1, got " + length);
        }
        this.length = length;
        this.eos = eos;
        this.buffer = new long[Math.max(16, 2 * (length + 1))];
        if (eos >= 0) {
            buffer[size++] = eos;
        }
    }

    /**
     * Adds the tokens of one chunk of a document.
     *
     * @param endOfDocument append the end-of-text token after them
     * @return the windows completed, each T + 1 tokens
     */
    public List<PackedSequence> add(int[] tokens, boolean endOfDocument) {
        for (int t : tokens) {
            append(t);
        }
        if (endOfDocument && eos >= 0) {
            append(eos);
        }
        List<PackedSequence> out = new ArrayList<>();
        int start = 0;
        while (size - start >= length + 1) {
            out.add(
                    new PackedSequence(
                            Arrays.copyOfRange(buffer, start, start + length + 1),
                            length + 1,
                            length));
            start += length; // the last token stays as the next window's first input
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, size - start);
            size -= start;
        }
        return out;
    }

    private void append(long token) {
        if (size == buffer.length) {
            buffer = Arrays.copyOf(buffer, buffer.length * 2);
        }
        buffer[size++] = token;
    }

    /** The tokens kept for the next window: the carried input token, then pending targets. */
    public long[] pending() {
        return Arrays.copyOf(buffer, size);
    }

    /** Tokens waiting to become targets (the carried first input excluded). */
    public int pendingTokens() {
        return Math.max(0, size - 1);
    }

    /** Continues from {@link #pending()} of an earlier packer. */
    public void restore(long[] pending) {
        buffer = Arrays.copyOf(pending, Math.max(buffer.length, pending.length * 2));
        size = pending.length;
    }
}

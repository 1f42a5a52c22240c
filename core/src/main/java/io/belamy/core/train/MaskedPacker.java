package io.belamy.core.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs text into BERT training sequences: each chunk's tokens are cut into pieces of at most T -
 * 2, each wrapped as {@code [CLS] piece [SEP]} and padded to T with {@code [PAD]} (the attention
 * mask hides the padding). Sequences never span chunks, so nothing is pending between calls.
 */
public final class MaskedPacker {

    private final int length;
    private final int cls;
    private final int sep;
    private final int pad;

    public MaskedPacker(int length, int cls, int sep, int pad) {
        if (length < 3) {
            throw new IllegalArgumentException("BERT sequence length must be >= 3, got " + length);
        }
        this.length = length;
        this.cls = cls;
        this.sep = sep;
        this.pad = pad;
    }

    /**
     * Packs the content tokens of one chunk (a leading [CLS] and trailing [SEP] added by the
     * tokenizer are dropped first).
     */
    public List<PackedSequence> add(int[] tokens) {
        int from = tokens.length > 0 && tokens[0] == cls ? 1 : 0;
        int to =
                tokens.length > from && tokens[tokens.length - 1] == sep
                        ? tokens.length - 1
                        : tokens.length;
        int piece = length - 2;
        List<PackedSequence> out = new ArrayList<>();
        for (int start = from; start < to; start += piece) {
            int end = Math.min(to, start + piece);
            long[] ids = new long[length];
            Arrays.fill(ids, pad);
            ids[0] = cls;
            for (int i = start; i < end; i++) {
                ids[1 + i - start] = tokens[i];
            }
            ids[1 + end - start] = sep;
            out.add(new PackedSequence(ids, end - start + 2, end - start));
        }
        return out;
    }
}

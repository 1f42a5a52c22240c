package io.belamy.core.tokenizer;

import java.util.Arrays;

/**
 * Turns a stream of token ids into text deltas that never split a character: a token that ends in
 * the middle of a multi-byte UTF-8 sequence yields nothing until the tokens that complete it
 * arrive.
 *
 * <p>It decodes a short window of recent tokens twice (with and without the newest) and emits the
 * difference once it no longer ends in U+FFFD, as Hugging Face's text streamers do.
 *
 * <pre>{@code
 * IncrementalDecoder d = new IncrementalDecoder(Tokenizers.bytes());
 * d.push(0xC3); // ""  (first byte of "é")
 * d.push(0xA9); // "é"
 * }</pre>
 */
public final class IncrementalDecoder {

    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tokenizer;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;

    public IncrementalDecoder(TextTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token and returns the text it completes (possibly empty). */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = decode(prefixOffset, readOffset);
        String full = decode(prefixOffset, size);
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT) {
            prefixOffset = readOffset;
            readOffset = size;
            return full.substring(prefix.length());
        }
        return "";
    }

    /** The text of tokens still held back (an incomplete character decodes to U+FFFD). */
    public String flush() {
        String prefix = decode(prefixOffset, readOffset);
        String full = decode(prefixOffset, size);
        prefixOffset = size;
        readOffset = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to));
    }
}

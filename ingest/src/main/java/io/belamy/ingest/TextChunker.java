package io.belamy.ingest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into chunks of at most {@code maxBytes} UTF-8 bytes, preferring paragraph boundaries
 * (blank lines), then line boundaries, then spaces, and never splitting a character. Concatenating
 * the chunks gives the text back.
 */
public final class TextChunker {

    private final int maxBytes;

    public TextChunker(int maxBytes) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("chunks need at least 4 bytes, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** The chunks of {@code text}, in order; none for empty text. */
    public List<String> split(String text) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = cut(text, start);
            chunks.add(text.substring(start, end));
            start = end;
        }
        return chunks;
    }

    /** End of the chunk starting at {@code start}: the best boundary within the byte budget. */
    private int cut(String text, int start) {
        int limit = fit(text, start); // furthest char index within maxBytes
        if (limit == text.length()) {
            return limit;
        }
        for (String boundary : new String[] {"\n\n", "\n", " "}) {
            int at = text.lastIndexOf(boundary, limit - boundary.length());
            if (at >= start && at + boundary.length() > start) {
                return at + boundary.length();
            }
        }
        return limit;
    }

    /** The largest end index such that text[start, end) encodes in at most maxBytes bytes. */
    private int fit(String text, int start) {
        int bytes = 0;
        int i = start;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = utf8Length(cp);
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return i;
    }

    private static int utf8Length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /** UTF-8 length of a string. */
    static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

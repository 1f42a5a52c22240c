package io.belamy.ingest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 decoding that reports where the bytes go wrong. */
final class Utf8 {

    private Utf8() {}

    /**
     * The text of {@code bytes}.
     *
     * @param firstBadOffset byte offset of the first invalid sequence, or -1 when all are valid
     * @param badSequences invalid sequences (each replaced by U+FFFD in {@code text})
     */
    record Decoded(String text, long firstBadOffset, int badSequences) {}

    /** Decodes, replacing invalid sequences with U+FFFD and counting them. */
    static Decoded decode(byte[] bytes) {
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        // Each byte yields at most one char, and each invalid sequence (>= 1 byte) one U+FFFD.
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        long first = -1;
        int bad = 0;
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (!r.isError()) {
                break; // underflow: everything decoded
            }
            if (first < 0) {
                first = in.position();
            }
            bad++;
            out.put('\uFFFD');
            in.position(in.position() + r.length());
        }
        decoder.flush(out);
        out.flip();
        return new Decoded(out.toString(), first, bad);
    }
}

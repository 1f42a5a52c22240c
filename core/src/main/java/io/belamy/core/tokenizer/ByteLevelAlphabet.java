package io.belamy.core.tokenizer;

/**
 * GPT-2's reversible map from bytes to printable Unicode characters, used by byte-level BPE
 * vocabularies: printable Latin-1 bytes stand for themselves; the other 68 bytes map, in order, to
 * U+0100 onwards.
 */
final class ByteLevelAlphabet {

    private ByteLevelAlphabet() {}

    /** The stand-in character of each byte value. */
    static char[] byteToChar() {
        char[] map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable =
                    (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char) b : (char) next++;
        }
        return map;
    }
}

package io.belamy.core.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Entry points to the tokenizers. */
public final class Tokenizers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokenizers() {}

    /** The byte-level tokenizer: needs no file. */
    public static TextTokenizer bytes() {
        return new ByteTokenizer();
    }

    /**
     * The tokenizer of a model directory, from its {@code tokenizer.json}. A file that belamy wrote
     * for {@link ByteTokenizer} loads as that tokenizer (same ids, no native code).
     *
     * @throws IOException naming the file when it is missing or invalid
     */
    public static TextTokenizer load(Path dir) throws IOException {
        Path file = dir.resolve(TextTokenizer.TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(), null, "model directory has no tokenizer.json");
        }
        String json = Files.readString(file, StandardCharsets.UTF_8);
        if (isByteTokenizer(json)) {
            return new ByteTokenizer();
        }
        return HfTokenizer.load(file);
    }

    private static boolean isByteTokenizer(String json) {
        try {
            return JSON.readTree(json).equals(JSON.readTree(ByteTokenizer.toJson()));
        } catch (IOException e) {
            return false; // not JSON at all: HfTokenizer.load reports it
        }
    }
}

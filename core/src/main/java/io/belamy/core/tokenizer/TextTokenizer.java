package io.belamy.core.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Text to token ids and back. Implementations: {@link ByteTokenizer} (UTF-8 bytes, needs no file)
 * and {@link HfTokenizer} (a Hugging Face {@code tokenizer.json}); {@link Tokenizers} picks one for
 * a model directory.
 *
 * <pre>{@code
 * TextTokenizer t = Tokenizers.bytes();
 * t.encode("hé");                 // [104, 195, 169]
 * t.decode(new int[] {104, 195}); // "h\uFFFD" (an incomplete character decodes to U+FFFD)
 * }</pre>
 */
public interface TextTokenizer extends AutoCloseable {

    /** Name of the Hugging Face tokenizer file in a model directory. */
    String TOKENIZER_FILE = "tokenizer.json";

    /** Token ids of {@code text}, with the special tokens the tokenizer's post-processor adds. */
    int[] encode(String text);

    /**
     * Text of {@code ids}, skipping special tokens. Bytes that do not form complete UTF-8
     * characters decode to U+FFFD; {@link IncrementalDecoder} holds them back when streaming.
     */
    String decode(int[] ids);

    /** Number of ids this tokenizer can produce: the largest id + 1. */
    int vocabSize();

    /** The id of a token given by its text, e.g. {@code "[MASK]"}, or -1 when there is none. */
    int tokenId(String token);

    /** Writes {@code tokenizer.json} (and any companion files) into a model directory. */
    void save(Path dir) throws IOException;

    /** Releases native resources, if any. */
    @Override
    void close();
}

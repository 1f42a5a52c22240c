package io.belamy.core.bert;

import ai.djl.ndarray.NDManager;
import io.belamy.core.Djl;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A BERT with its tokenizer and the native memory holding its weights; closing frees both. */
public final class BertModel implements AutoCloseable {

    /** The mask token of BERT tokenizers. */
    public static final String MASK = "[MASK]";

    private final NDManager manager;
    private final Bert bert;
    private final TextTokenizer tokenizer;
    private final int maskId;

    private BertModel(NDManager manager, Bert bert, TextTokenizer tokenizer) {
        this.manager = manager;
        this.bert = bert;
        this.tokenizer = tokenizer;
        this.maskId = tokenizer.tokenId(MASK);
    }

    private static void check(BertConfig config, TextTokenizer tokenizer) {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(
                    "tokenizer has "
                            + tokenizer.vocabSize()
                            + " token ids but the model's vocab_size is "
                            + config.vocabSize());
        }
        if (tokenizer.tokenId(MASK) < 0) {
            throw new IllegalArgumentException("tokenizer has no " + MASK + " token");
        }
    }

    /**
     * Loads a Hugging Face BERT directory: {@code config.json}, {@code model.safetensors}, {@code
     * tokenizer.json}.
     *
     * @throws IOException naming the file and problem when the directory cannot be used
     */
    public static BertModel load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model directory not found");
        }
        BertConfig config = BertCheckpoint.readConfig(dir);
        TextTokenizer tokenizer = Tokenizers.load(dir);
        NDManager manager = Djl.newManager();
        try {
            check(config, tokenizer);
            return new BertModel(manager, BertCheckpoint.load(dir, manager), tokenizer);
        } catch (IOException | RuntimeException e) {
            manager.close();
            tokenizer.close();
            if (e instanceof IllegalArgumentException) {
                throw new IOException(dir + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** A freshly initialized model for a tokenizer. */
    public static BertModel create(BertConfig config, TextTokenizer tokenizer, long seed) {
        check(config, tokenizer);
        NDManager manager = Djl.newManager();
        try {
            return new BertModel(manager, Bert.create(config, manager, seed), tokenizer);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Writes a Hugging Face directory (config, weights, tokenizer). */
    public void save(Path dir) throws IOException {
        BertCheckpoint.save(bert, dir);
        tokenizer.save(dir);
    }

    public Bert bert() {
        return bert;
    }

    public BertConfig config() {
        return bert.config();
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Id of {@code [MASK]}. */
    public int maskId() {
        return maskId;
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
        tokenizer.close();
    }
}

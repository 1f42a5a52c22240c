package io.belamy.core.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.belamy.core.Djl;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.tokenizer.Tokenizers;
import io.belamy.core.train.LanguageModel;
import io.belamy.core.train.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** A BERT with its tokenizer and the native memory holding its weights; closing frees both. */
public final class BertModel implements LanguageModel {

    /** {@link #kind()} of BERT models. */
    public static final String KIND = "bert";

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
    @Override
    public void save(Path dir) throws IOException {
        BertCheckpoint.save(bert, dir);
        tokenizer.save(dir);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return bert.namedParameters();
    }

    @Override
    public void freeze(boolean frozen) {
        bert.freezeParameters(frozen);
    }

    @Override
    public int maxPositions() {
        return bert.config().maxPositions();
    }

    /** Masked LM loss over the positions whose target is not -100, padding masked out. */
    @Override
    public NDArray loss(ParameterStore ps, NDManager m, TokenBatch batch, boolean training) {
        Shape shape = new Shape(batch.batchSize(), batch.length());
        NDArray inputs = m.create(batch.inputs(), shape);
        NDArray labels = m.create(batch.targets(), shape);
        NDArray mask =
                batch.attentionMask() == null ? null : m.create(batch.attentionMask(), shape);
        return Bert.maskedLmLoss(bert.forward(ps, inputs, null, mask, training), labels);
    }

    public Bert bert() {
        return bert;
    }

    public BertConfig config() {
        return bert.config();
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Id of {@code [MASK]}. */
    public int maskId() {
        return maskId;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
        tokenizer.close();
    }
}

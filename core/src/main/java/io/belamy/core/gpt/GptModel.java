package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.belamy.core.Djl;
import io.belamy.core.nn.Handles;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.tokenizer.Tokenizers;
import io.belamy.core.train.LanguageModel;
import io.belamy.core.train.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A GPT with its tokenizer and the native memory holding its weights; closing it frees both.
 *
 * <pre>{@code
 * try (GptModel model = GptModel.load(Path.of("models/gpt2-tiny"))) {
 *     model.config().layers(); // 2
 * }
 * }</pre>
 */
public final class GptModel implements LanguageModel {

    /** {@link #kind()} of GPT models. */
    public static final String KIND = "gpt";

    private final NDManager manager;
    private final Gpt gpt;
    private final TextTokenizer tokenizer;

    private GptModel(NDManager manager, Gpt gpt, TextTokenizer tokenizer) {
        checkVocabulary(gpt.config(), tokenizer);
        this.manager = manager;
        this.gpt = gpt;
        this.tokenizer = tokenizer;
    }

    /**
     * Loads a Hugging Face GPT-2 directory: {@code config.json}, {@code model.safetensors} (or
     * shards) and {@code tokenizer.json}.
     *
     * @throws IOException naming the file and problem when the directory cannot be used
     */
    public static GptModel load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model directory not found");
        }
        GptConfig config = GptCheckpoint.readConfig(dir);
        TextTokenizer tokenizer = Tokenizers.load(dir);
        NDManager manager = Djl.newManager();
        try {
            checkVocabulary(config, tokenizer);
            Gpt gpt = GptCheckpoint.load(dir, manager);
            return new GptModel(manager, gpt, tokenizer);
        } catch (IOException | RuntimeException e) {
            manager.close();
            tokenizer.close();
            if (e instanceof IllegalArgumentException) {
                throw new IOException(dir + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private static void checkVocabulary(GptConfig config, TextTokenizer tokenizer) {
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException(
                    "tokenizer has "
                            + tokenizer.vocabSize()
                            + " token ids but the model's vocab_size is "
                            + config.vocabSize());
        }
    }

    /** A freshly initialized model (see {@link Gpt#create}) for a tokenizer. */
    public static GptModel create(GptConfig config, TextTokenizer tokenizer, long seed) {
        NDManager manager = Djl.newManager();
        try {
            return new GptModel(manager, Gpt.create(config, manager, seed), tokenizer);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Writes a Hugging Face directory: {@code config.json}, {@code model.safetensors}, {@code
     * tokenizer.json} (and {@code tokenizer_config.json}).
     */
    @Override
    public void save(Path dir) throws IOException {
        GptCheckpoint.save(gpt, dir);
        tokenizer.save(dir);
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public Map<String, Parameter> namedParameters() {
        return gpt.namedParameters();
    }

    @Override
    public void freeze(boolean frozen) {
        gpt.freezeParameters(frozen);
    }

    @Override
    public int maxPositions() {
        return gpt.config().contextLength();
    }

    /** Causal LM loss: each position predicts its target (the next token). */
    @Override
    public NDArray loss(ParameterStore ps, NDManager m, TokenBatch batch, boolean training) {
        Shape shape = new Shape(batch.batchSize(), batch.length());
        NDArray inputs = m.create(batch.inputs(), shape);
        NDArray targets = m.create(batch.targets(), shape);
        NDArray logits = gpt.forward(ps, inputs, null, training);
        NDArray loss = Gpt.crossEntropy(logits, targets);
        Handles.close(logits);
        return loss;
    }

    public Gpt gpt() {
        return gpt;
    }

    public GptConfig config() {
        return gpt.config();
    }

    @Override
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** The manager that owns the weights; per-request work goes in its sub-managers. */
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

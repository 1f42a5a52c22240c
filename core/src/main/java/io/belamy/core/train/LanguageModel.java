package io.belamy.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.belamy.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** A language model that belamy can train: GPT (causal) or BERT (masked). */
public interface LanguageModel extends AutoCloseable {

    /** {@code gpt} or {@code bert}. */
    String kind();

    /** Every parameter by its Hugging Face name. */
    Map<String, Parameter> namedParameters();

    /** Freezes (true) or unfreezes the parameters. */
    void freeze(boolean frozen);

    TextTokenizer tokenizer();

    /** The manager owning the weights. */
    NDManager manager();

    /** Longest sequence the model takes. */
    int maxPositions();

    /**
     * The mean loss of a batch, a scalar on {@code m}.
     *
     * @param training dropout on (and gradients wanted)
     */
    NDArray loss(ParameterStore ps, NDManager m, TokenBatch batch, boolean training);

    /** Writes the model as a Hugging Face directory (config, weights, tokenizer). */
    void save(Path dir) throws IOException;

    @Override
    void close();
}

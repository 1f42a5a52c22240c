package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.Embedding;
import io.belamy.core.nn.Handles;
import io.belamy.core.nn.LayerNorm;
import io.belamy.core.nn.ParameterNames;
import io.belamy.core.nn.SeededNormal;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A GPT-2 language model ({@code GPT2LMHeadModel}): token and learned position embeddings, a stack
 * of pre-LayerNorm {@link GptBlock}s, a final LayerNorm, and an output layer tied to the token
 * embedding.
 *
 * <p>Shapes: B batch, T new positions, C embedding, V vocabulary. Ids are int64 (B, T); logits are
 * (B, T, V). Child names follow the Hugging Face module tree, so {@link #namedParameters()} gives
 * checkpoint names such as {@code transformer.h.0.attn.c_attn.weight}.
 *
 * <p>Parameters are created frozen (no gradients): inference needs none. Training unfreezes them
 * with {@code freezeParameters(false)}.
 */
public final class Gpt extends AbstractBlock {

    public static final String WTE = "transformer.wte";
    public static final String WPE = "transformer.wpe";
    public static final String H = "transformer.h.";
    public static final String LN_F = "transformer.ln_f";

    /** Standard deviation of GPT-2's weight initialization. */
    static final float INIT_STD = 0.02f;

    private final GptConfig config;
    private final Embedding wte;
    private final Embedding wpe;
    private final GptBlock[] blocks;
    private final LayerNorm lnF;

    private Gpt(GptConfig config, SplittableRandom seeds) {
        this.config = config;
        this.wte =
                addChildBlock(
                        WTE,
                        new Embedding(
                                config.vocabSize(), config.embeddingSize(), normal(seeds, 1f)));
        this.wpe =
                addChildBlock(
                        WPE,
                        new Embedding(
                                config.contextLength(), config.embeddingSize(), normal(seeds, 1f)));
        // GPT-2 scales the init of residual projections by 1/sqrt(2 * layers).
        float projScale = (float) (1 / Math.sqrt(2.0 * config.layers()));
        this.blocks = new GptBlock[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            Initializer[] inits = {
                normal(seeds, 1f),
                normal(seeds, projScale),
                normal(seeds, 1f),
                normal(seeds, projScale)
            };
            blocks[i] = addChildBlock(H + i, new GptBlock(config, i, inits));
        }
        this.lnF =
                addChildBlock(
                        LN_F, new LayerNorm(config.embeddingSize(), config.layerNormEpsilon()));
        freezeParameters(true);
    }

    /**
     * A model with GPT-2's initialization: weights Normal(0, 0.02) (residual projections scaled by
     * 1/sqrt(2 layers)), biases 0, LayerNorms 1 and 0; the same seed gives the same weights.
     */
    public static Gpt create(GptConfig config, NDManager manager, long seed) {
        Gpt gpt = new Gpt(config, new SplittableRandom(seed));
        gpt.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        return gpt;
    }

    /** A model whose weights are all zero, to be overwritten from a checkpoint. */
    static Gpt createForLoading(GptConfig config, NDManager manager) {
        Gpt gpt = new Gpt(config, null);
        gpt.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        return gpt;
    }

    private static Initializer normal(SplittableRandom seeds, float scale) {
        return seeds == null
                ? new ConstantInitializer(0f)
                : new SeededNormal(INIT_STD * scale, seeds.nextLong());
    }

    public GptConfig config() {
        return config;
    }

    /** Every parameter by its Hugging Face name, in checkpoint order. */
    public Map<String, Parameter> namedParameters() {
        return ParameterNames.of(this);
    }

    /** A KV cache for {@code batch} sequences of up to {@code capacity} positions. */
    public KvCache newCache(NDManager manager, int batch, int capacity) {
        return new KvCache(manager, config, batch, capacity);
    }

    /**
     * Logits for every new position.
     *
     * @param ids (B, T) int64 token ids
     * @param cache earlier positions (appended to and advanced), or null for a fresh sequence
     * @return (B, T, V)
     */
    public NDArray forward(ParameterStore ps, NDArray ids, KvCache cache, boolean training) {
        return logits(ps, hidden(ps, ids, cache, training), training);
    }

    /**
     * The final hidden states (after {@code ln_f}) for every new position.
     *
     * @param ids (B, T) int64 token ids
     * @return (B, T, C)
     */
    public NDArray hidden(ParameterStore ps, NDArray ids, KvCache cache, boolean training) {
        int t = newPositions(ids);
        int past = cache == null ? 0 : cache.length();
        checkContext(past, t);
        NDManager manager = ids.getManager();
        NDArray positions = manager.arange(past, past + t, 1, DataType.INT64); // (T)
        NDArray mask = t > 1 ? CausalSelfAttention.causalMask(manager, past, t) : null; // (T, S)
        NDArray out = run(ps, ids, positions, mask, cache, training);
        if (cache != null) {
            cache.advance(t);
        }
        return out;
    }

    /** A cache for continuous batching: up to {@code slots} sequences of their own lengths. */
    public BatchKvCache newBatchCache(NDManager manager, int slots, int capacity) {
        return new BatchKvCache(manager, config, slots, capacity);
    }

    /**
     * Runs the prompts of new sequences, together, into the empty rows {@code first}, {@code first
     * + 1} ... of a batch cache. Shorter prompts are right-padded: with the causal mask no real
     * position attends to padding, and each row's cache length becomes its own prompt's.
     *
     * @param ids (k, T) int64 token ids, row i holding {@code lengths[i]} tokens then padding
     * @return the final hidden states, (k, T, C)
     */
    public NDArray prefill(
            ParameterStore ps, NDArray ids, BatchKvCache cache, int first, int[] lengths) {
        int t = newPositions(ids);
        int k = Math.toIntExact(ids.getShape().get(0));
        if (lengths.length != k) {
            throw new IllegalArgumentException(k + " prompts but " + lengths.length + " lengths");
        }
        checkContext(0, t);
        NDManager manager = ids.getManager();
        NDArray positions = manager.arange(0, t, 1, DataType.INT64);
        NDArray mask = t > 1 ? CausalSelfAttention.causalMask(manager, 0, t) : null;
        NDArray out = run(ps, ids, positions, mask, cache.prefill(first, k, t), false);
        for (int i = 0; i < k; i++) {
            cache.advance(first + i, lengths[i]);
        }
        return out;
    }

    /**
     * One new token for every live row of a batch cache, each at its own position.
     *
     * @param ids (rows, 1) int64: each row's newest token
     * @return the final hidden states, (rows, 1, C)
     */
    public NDArray decode(ParameterStore ps, NDArray ids, BatchKvCache cache) {
        int rows = cache.rows();
        if (!ids.getShape().equals(new Shape(rows, 1))) {
            throw new IllegalArgumentException(
                    "decode takes (" + rows + ", 1) token ids, got " + ids.getShape());
        }
        int[] lengths = cache.lengths();
        int span = 0;
        for (int length : lengths) {
            checkContext(length, 1);
            span = Math.max(span, length + 1);
        }
        NDManager manager = ids.getManager();
        long[] places = new long[rows];
        float[] masked = new float[rows * span];
        for (int r = 0; r < rows; r++) {
            places[r] = lengths[r];
            for (int j = lengths[r] + 1; j < span; j++) {
                masked[r * span + j] = -Float.MAX_VALUE; // another row's positions
            }
        }
        NDArray positions = manager.create(places, new Shape(rows, 1));
        NDArray mask = manager.create(masked, new Shape(rows, 1, 1, span)); // (B, H, T, S)
        NDArray out = run(ps, ids, positions, mask, cache.decode(manager), false);
        cache.advanceAll();
        return out;
    }

    private static int newPositions(NDArray ids) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("token ids must be (B, T), got " + shape);
        }
        return Math.toIntExact(shape.get(1));
    }

    private void checkContext(int past, int t) {
        if (past + t > config.contextLength()) {
            throw new IllegalArgumentException(
                    past
                            + " cached + "
                            + t
                            + " new positions exceed the context length "
                            + config.contextLength());
        }
    }

    private NDArray run(
            ParameterStore ps,
            NDArray ids,
            NDArray positions,
            NDArray mask,
            AttentionCache cache,
            boolean training) {
        NDArray tokens = wte.apply(ps, ids, training);
        NDArray places = wpe.apply(ps, positions, training);
        NDArray x = tokens.add(places); // (B, T, C)
        Handles.close(tokens, places);
        if (training && config.dropout() > 0) {
            NDArray dropped = Dropout.dropout(x, config.dropout(), true).singletonOrThrow();
            Handles.close(x);
            x = dropped;
        }
        for (GptBlock block : blocks) {
            NDArray next = block.forward(ps, x, mask, cache, training);
            Handles.close(x); // intermediates are released as soon as used (see Handles)
            x = next;
        }
        NDArray out = lnF.apply(ps, x, training);
        Handles.close(x);
        return out;
    }

    /**
     * The output layer, tied to the token embedding.
     *
     * @param hidden (..., C)
     * @return (..., V)
     */
    public NDArray logits(ParameterStore ps, NDArray hidden, boolean training) {
        // (.., C) x (V, C)^T -> (.., V); linear() takes the table as is (no transposed copy or
        // view)
        return ai.djl.nn.core.Linear.linear(hidden, wte.table(ps, hidden, training))
                .singletonOrThrow();
    }

    /**
     * Mean cross-entropy of next-token predictions.
     *
     * @param logits (B, T, V)
     * @param targets (B, T) int64: the token that should follow each position
     * @return a scalar
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray logProbs = logits.logSoftmax(-1); // (B, T, V)
        NDArray index = targets.expandDims(-1);
        NDArray picked = logProbs.gather(index, -1); // (B, T, 1)
        NDArray mean = picked.mean();
        Handles.close(logProbs, index, picked);
        NDArray loss = mean.neg();
        Handles.close(mean);
        return loss;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        wte.initialize(manager, dataType, inputShapes);
        wpe.initialize(manager, dataType, inputShapes);
        for (GptBlock block : blocks) {
            block.initialize(manager, dataType, inputShapes);
        }
        lnF.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }
}

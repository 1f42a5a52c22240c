package io.belamy.core.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.Activations;
import io.belamy.core.nn.Handles;
import io.belamy.core.nn.LayerNorm;
import io.belamy.core.nn.Linear;
import io.belamy.core.nn.Losses;
import io.belamy.core.nn.ParameterNames;
import io.belamy.core.nn.SeededNormal;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * A BERT masked language model ({@code BertForMaskedLM}): embeddings, a stack of post-LayerNorm
 * {@link BertLayer}s, and the MLM head ({@code cls.predictions}: dense, gelu, LayerNorm, a decoder
 * tied to the word embeddings, plus a bias).
 *
 * <p>Shapes: B batch, T positions, C hidden, V vocabulary. Ids (B, T) int64 -&gt; logits (B, T, V).
 * Child names follow the Hugging Face module tree ({@code
 * bert.encoder.layer.0.attention.self.query.weight}). Parameters are created frozen; training
 * unfreezes them.
 */
public final class Bert extends AbstractBlock {

    public static final String EMBEDDINGS = "bert.embeddings";
    public static final String LAYER = "bert.encoder.layer.";
    public static final String HEAD = "cls.predictions";

    /** Standard deviation of BERT's weight initialization ({@code initializer_range}). */
    static final float INIT_STD = 0.02f;

    /** Label of positions that take no part in the loss, as in Hugging Face. */
    public static final int IGNORE = Losses.IGNORE;

    private final BertConfig config;
    private final BertEmbeddings embeddings;
    private final BertLayer[] layers;
    private final MlmHead head;

    private Bert(BertConfig config, SplittableRandom seeds) {
        this.config = config;
        Supplier<Initializer> init =
                () ->
                        seeds == null
                                ? new ConstantInitializer(0f)
                                : new SeededNormal(INIT_STD, seeds.nextLong());
        this.embeddings = addChildBlock(EMBEDDINGS, new BertEmbeddings(config, init));
        this.layers = new BertLayer[config.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = addChildBlock(LAYER + i, new BertLayer(config, init));
        }
        this.head = addChildBlock(HEAD, new MlmHead(config, init));
        freezeParameters(true);
    }

    /** A model with BERT's initialization (weights Normal(0, 0.02)); same seed, same weights. */
    public static Bert create(BertConfig config, NDManager manager, long seed) {
        Bert bert = new Bert(config, new SplittableRandom(seed));
        bert.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        return bert;
    }

    /** A model whose weights are all zero, to be overwritten from a checkpoint. */
    static Bert createForLoading(BertConfig config, NDManager manager) {
        Bert bert = new Bert(config, null);
        bert.initialize(manager, DataType.FLOAT32, new Shape(1, 1));
        return bert;
    }

    public BertConfig config() {
        return config;
    }

    /** Every parameter by its Hugging Face name. */
    public Map<String, Parameter> namedParameters() {
        return ParameterNames.of(this);
    }

    /**
     * Logits at every position.
     *
     * @param ids (B, T) int64
     * @param typeIds (B, T) int64 token types, or null for all 0
     * @param attentionMask (B, T) with 1 for real tokens and 0 for padding, or null for no padding
     * @return (B, T, V)
     */
    public NDArray forward(
            ParameterStore ps,
            NDArray ids,
            NDArray typeIds,
            NDArray attentionMask,
            boolean training) {
        long t = ids.getShape().get(1);
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence of "
                            + t
                            + " tokens is longer than the model's "
                            + config.maxPositions()
                            + " positions");
        }
        NDArray x = embeddings.forward(ps, ids, typeIds, training); // (B, T, C)
        NDArray mask = attentionMask == null ? null : additiveMask(attentionMask); // (B, 1, 1, T)
        for (BertLayer layer : layers) {
            NDArray next = layer.forward(ps, x, mask, training);
            Handles.close(x); // intermediates are released as soon as used (see Handles)
            x = next;
        }
        return head.forward(ps, x, embeddings.wordTable(ps, x, training), training);
    }

    /**
     * (B, T) 1/0 -&gt; (B, 1, 1, T) with 0 where attended and the most negative float elsewhere.
     */
    static NDArray additiveMask(NDArray attentionMask) {
        Shape s = attentionMask.getShape();
        NDArray keep =
                attentionMask.toType(DataType.FLOAT32, false).reshape(s.get(0), 1, 1, s.get(1));
        return keep.neg().add(1f).mul(-Float.MAX_VALUE);
    }

    /**
     * Mean cross-entropy over the positions whose label is not {@link #IGNORE}.
     *
     * @param logits (B, T, V)
     * @param labels (B, T) int64: the original token at masked positions, {@link #IGNORE} elsewhere
     * @return a scalar
     */
    public static NDArray maskedLmLoss(NDArray logits, NDArray labels) {
        return Losses.crossEntropy(logits, labels);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                forward(
                        ps,
                        inputs.get(0),
                        inputs.size() > 1 ? inputs.get(1) : null,
                        inputs.size() > 2 ? inputs.get(2) : null,
                        training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        embeddings.initialize(manager, dataType, inputShapes);
        for (BertLayer layer : layers) {
            layer.initialize(manager, dataType, inputShapes);
        }
        head.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(config.vocabSize())};
    }

    /** {@code cls.predictions}: transform (dense, gelu, LayerNorm), tied decoder, bias. */
    static final class MlmHead extends AbstractBlock {
        private final Linear dense;
        private final LayerNorm norm;
        private final Parameter bias;

        MlmHead(BertConfig config, Supplier<Initializer> init) {
            int c = config.hiddenSize();
            this.dense = addChildBlock("transform.dense", new Linear(c, c, init.get()));
            this.norm =
                    addChildBlock(
                            "transform.LayerNorm", new LayerNorm(c, config.layerNormEpsilon()));
            this.bias =
                    addParameter(
                            Parameter.builder()
                                    .setName("bias")
                                    .setType(Parameter.Type.BIAS)
                                    .optShape(new Shape(config.vocabSize()))
                                    .optInitializer(new ConstantInitializer(0f))
                                    .build());
        }

        /** (B, T, C) -&gt; (B, T, V). */
        NDArray forward(ParameterStore ps, NDArray x, NDArray wordTable, boolean training) {
            NDArray h = norm.apply(ps, Activations.gelu(dense.apply(ps, x, training)), training);
            return ai.djl.nn.core.Linear.linear(
                            h, wordTable, ps.getValue(bias, x.getDevice(), training))
                    .singletonOrThrow();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps,
                NDList inputs,
                boolean training,
                PairList<String, Object> params) {
            throw new UnsupportedOperationException(
                    "the MLM head needs the word embeddings: use Bert.forward");
        }

        @Override
        protected void initializeChildBlocks(
                NDManager manager, DataType dataType, Shape... inputShapes) {
            dense.initialize(manager, dataType, inputShapes);
            norm.initialize(manager, dataType, inputShapes);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {inputShapes[0]};
        }
    }
}

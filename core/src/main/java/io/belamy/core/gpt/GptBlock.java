package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.LayerNorm;

/**
 * One pre-LayerNorm Transformer block of GPT-2 ({@code GPT2Block}): {@code x + attn(ln_1(x))}, then
 * {@code x + mlp(ln_2(x))}.
 *
 * <p>Shapes: x (B, T, C) -&gt; (B, T, C).
 */
public final class GptBlock extends AbstractBlock {

    static final String LN_1 = "ln_1";
    static final String ATTN = "attn";
    static final String LN_2 = "ln_2";
    static final String MLP = "mlp";

    private final int layer;
    private final float dropout;
    private final LayerNorm ln1;
    private final CausalSelfAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;

    GptBlock(GptConfig config, int layer, Initializer[] inits) {
        this.layer = layer;
        this.dropout = config.dropout();
        this.ln1 =
                addChildBlock(
                        LN_1, new LayerNorm(config.embeddingSize(), config.layerNormEpsilon()));
        this.attn = addChildBlock(ATTN, new CausalSelfAttention(config, inits[0], inits[1]));
        this.ln2 =
                addChildBlock(
                        LN_2, new LayerNorm(config.embeddingSize(), config.layerNormEpsilon()));
        this.mlp = addChildBlock(MLP, new Mlp(config, inits[2], inits[3]));
    }

    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, KvCache cache, boolean training) {
        NDArray a = attn.forward(ps, ln1.apply(ps, x, training), mask, cache, layer, training);
        x = x.add(residualDropout(a, training));
        NDArray m = mlp.forward(ps, ln2.apply(ps, x, training), training);
        return x.add(residualDropout(m, training));
    }

    private NDArray residualDropout(NDArray x, boolean training) {
        if (training && dropout > 0) {
            return Dropout.dropout(x, dropout, true).singletonOrThrow();
        }
        return x;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int t = Math.toIntExact(x.getShape().get(1));
        NDArray mask = t > 1 ? CausalSelfAttention.causalMask(x.getManager(), 0, t) : null;
        return new NDList(forward(ps, x, mask, null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        ln1.initialize(manager, dataType, inputShapes);
        attn.initialize(manager, dataType, inputShapes);
        ln2.initialize(manager, dataType, inputShapes);
        mlp.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

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
import io.belamy.core.nn.Handles;
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

    /** The caller keeps ownership of x; intermediates are released as soon as used. */
    NDArray forward(
            ParameterStore ps, NDArray x, NDArray mask, AttentionCache cache, boolean training) {
        NDArray normed = ln1.apply(ps, x, training);
        NDArray a =
                residualDropout(attn.forward(ps, normed, mask, cache, layer, training), training);
        Handles.close(normed);
        NDArray mid = a.addi(x); // in place: a is saved by no backward function
        normed = ln2.apply(ps, mid, training);
        NDArray m = residualDropout(mlp.forward(ps, normed, training), training);
        Handles.close(normed);
        m.addi(mid); // in place: m is saved by no backward function
        Handles.close(mid);
        return m;
    }

    private NDArray residualDropout(NDArray x, boolean training) {
        if (training && dropout > 0) {
            NDArray dropped = Dropout.dropout(x, dropout, true).singletonOrThrow();
            Handles.close(x);
            return dropped;
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

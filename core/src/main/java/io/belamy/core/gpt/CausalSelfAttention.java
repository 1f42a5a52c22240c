package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.Conv1D;
import io.belamy.core.nn.Handles;
import io.belamy.core.nn.Scalars;

/**
 * Multi-head causal self-attention of GPT-2 ({@code GPT2Attention}): one projection to queries,
 * keys and values ({@code c_attn}), scaled dot-product attention, an output projection ({@code
 * c_proj}).
 *
 * <p>Shapes: B batch, T new positions, S all positions (cached + new), C embedding, H heads.
 */
public final class CausalSelfAttention extends AbstractBlock {

    static final String C_ATTN = "c_attn";
    static final String C_PROJ = "c_proj";

    private final int heads;
    private final int headSize;
    private final float dropout;
    private final Conv1D cAttn;
    private final Conv1D cProj;
    private NDArray scale; // 1 / sqrt(C/H), made with the parameters

    CausalSelfAttention(GptConfig config, Initializer weightInit, Initializer projInit) {
        int c = config.embeddingSize();
        this.heads = config.heads();
        this.headSize = config.headSize();
        this.dropout = config.dropout();
        this.cAttn = addChildBlock(C_ATTN, new Conv1D(c, 3 * c, weightInit));
        this.cProj = addChildBlock(C_PROJ, new Conv1D(c, c, projInit));
    }

    /**
     * Attends each new position to itself and every earlier position.
     *
     * @param x (B, T, C)
     * @param mask additive mask broadcastable to (B, H, T, S), or null when T == 1
     * @param cache earlier keys and values of this layer, or null to attend within x only
     * @return (B, T, C)
     */
    NDArray forward(
            ParameterStore ps,
            NDArray x,
            NDArray mask,
            AttentionCache cache,
            int layer,
            boolean training) {
        Shape shape = x.getShape();
        long b = shape.get(0);
        long t = shape.get(1);
        long c = shape.get(2);

        NDArray projected = cAttn.apply(ps, x, training); // (B, T, 3C)
        // Queries, keys and values are 3H consecutive heads: (B, T, 3C) -> (B, T, 3H, C/H)
        // -> (B, 3H, T, C/H) -> 3 x (B, H, T, C/H), three views in three engine calls
        NDArray grouped = projected.reshape(b, t, 3L * heads, headSize);
        NDArray perHead = grouped.transpose(0, 2, 1, 3);
        NDList qkv = perHead.split(3, 1);
        Handles.close(projected, grouped, perHead);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v); // 2 x (B, H, S, C/H)
            Handles.close(k, v);
            k = kv[0];
            v = kv[1];
        }

        // (B, H, T, C/H) @ (B, H, C/H, S) -> (B, H, T, S)
        NDArray keysT = k.transpose(0, 1, 3, 2);
        NDArray product = q.matMul(keysT);
        Handles.close(q, k, keysT);
        // In place: the product is saved by no backward function (matmul saves its inputs).
        NDArray scores = product.muli(scale);
        if (mask != null) {
            scores.addi(mask);
        }
        NDArray weights = scores.softmax(-1);
        Handles.close(scores);
        if (training && dropout > 0) {
            NDArray dropped = Dropout.dropout(weights, dropout, true).singletonOrThrow();
            Handles.close(weights);
            weights = dropped;
        }
        NDArray y = weights.matMul(v); // (B, H, T, C/H)
        Handles.close(weights, v);
        NDArray heads = y.transpose(0, 2, 1, 3); // (B, T, H, C/H)
        NDArray merged = heads.reshape(b, t, c); // (B, T, C)
        Handles.close(y, heads);
        NDArray out = cProj.apply(ps, merged, training);
        Handles.close(merged);
        return out;
    }

    /**
     * The additive causal mask for {@code t} new positions after {@code past} cached ones: (T, S)
     * with 0 where position i may see position j (j &lt;= past + i) and the most negative float
     * elsewhere, as Hugging Face does (a fully masked row stays finite).
     */
    static NDArray causalMask(ai.djl.ndarray.NDManager manager, int past, int t) {
        int s = past + t;
        float[] values = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = past + i + 1; j < s; j++) {
                values[i * s + j] = -Float.MAX_VALUE;
            }
        }
        return manager.create(values, new Shape(t, s)).toType(DataType.FLOAT32, false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int t = Math.toIntExact(x.getShape().get(1));
        NDArray mask = t > 1 ? causalMask(x.getManager(), 0, t) : null;
        return new NDList(forward(ps, x, mask, null, 0, training));
    }

    @Override
    protected void initializeChildBlocks(
            ai.djl.ndarray.NDManager manager, DataType dataType, Shape... inputShapes) {
        cAttn.initialize(manager, dataType, inputShapes);
        scale = Scalars.constant(manager, dataType, 1f / (float) Math.sqrt(headSize));
        cProj.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

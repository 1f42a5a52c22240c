package io.belamy.core.bert;

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
import io.belamy.core.nn.Linear;
import io.belamy.core.nn.Scalars;
import java.util.function.Supplier;

/**
 * BERT's attention sub-layer ({@code BertAttention}): bidirectional multi-head self-attention
 * ({@code self.query/key/value}), output projection, then post-LayerNorm of the residual sum
 * ({@code output.dense}, {@code output.LayerNorm}).
 *
 * <p>Shapes: B batch, T positions, C hidden, H heads. x (B, T, C) -&gt; (B, T, C).
 */
public final class BertAttention extends AbstractBlock {

    private final int heads;
    private final int headSize;
    private final float dropout;
    private final float attentionDropout;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear dense;
    private final LayerNorm norm;
    private NDArray scale; // 1 / sqrt(C/H), made with the parameters

    BertAttention(BertConfig config, Supplier<Initializer> init) {
        int c = config.hiddenSize();
        this.heads = config.heads();
        this.headSize = config.headSize();
        this.dropout = config.dropout();
        this.attentionDropout = config.attentionDropout();
        this.query = addChildBlock("self.query", new Linear(c, c, init.get()));
        this.key = addChildBlock("self.key", new Linear(c, c, init.get()));
        this.value = addChildBlock("self.value", new Linear(c, c, init.get()));
        this.dense = addChildBlock("output.dense", new Linear(c, c, init.get()));
        this.norm = addChildBlock("output.LayerNorm", new LayerNorm(c, config.layerNormEpsilon()));
    }

    /**
     * @param x (B, T, C)
     * @param mask additive mask broadcastable to (B, H, T, T), or null to attend everywhere
     */
    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
        // Intermediates are released as soon as used and updated in place where no backward
        // function saved them (see Handles).
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        NDArray q = heads(query.apply(ps, x, training), b, t); // (B, H, T, C/H)
        NDArray k = heads(key.apply(ps, x, training), b, t);
        NDArray v = heads(value.apply(ps, x, training), b, t);
        // (B, H, T, C/H) @ (B, H, C/H, T) -> (B, H, T, T)
        NDArray keysT = k.transpose(0, 1, 3, 2);
        NDArray scores = q.matMul(keysT);
        Handles.close(q, k, keysT);
        scores.muli(scale);
        if (mask != null) {
            scores.addi(mask);
        }
        NDArray weights = scores.softmax(-1);
        Handles.close(scores);
        if (training && attentionDropout > 0) {
            NDArray dropped = Dropout.dropout(weights, attentionDropout, true).singletonOrThrow();
            Handles.close(weights);
            weights = dropped;
        }
        NDArray perHead = weights.matMul(v); // (B, H, T, C/H)
        Handles.close(weights, v);
        NDArray transposed = perHead.transpose(0, 2, 1, 3);
        NDArray merged = transposed.reshape(b, t, s.get(2)); // (B, T, C)
        Handles.close(perHead, transposed);
        NDArray y = dense.apply(ps, merged, training);
        Handles.close(merged);
        if (training && dropout > 0) {
            NDArray dropped = Dropout.dropout(y, dropout, true).singletonOrThrow();
            Handles.close(y);
            y = dropped;
        }
        y.addi(x); // in place: y is saved by no backward function
        NDArray out = norm.apply(ps, y, training);
        Handles.close(y);
        return out;
    }

    /** (B, T, C) -&gt; (B, H, T, C/H); releases x. */
    private NDArray heads(NDArray x, long b, long t) {
        try (x;
                NDArray split = x.reshape(b, t, heads, headSize)) {
            return split.transpose(0, 2, 1, 3);
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        for (var child : getChildren().values()) {
            child.initialize(manager, dataType, inputShapes);
        }
        scale = Scalars.constant(manager, dataType, 1f / (float) Math.sqrt(headSize));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

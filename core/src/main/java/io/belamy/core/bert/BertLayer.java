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
import io.belamy.core.nn.Activations;
import io.belamy.core.nn.Handles;
import io.belamy.core.nn.LayerNorm;
import io.belamy.core.nn.Linear;
import java.util.function.Supplier;

/**
 * One BERT encoder layer ({@code BertLayer}), post-LayerNorm: attention, then {@code LayerNorm(x +
 * output.dense(gelu(intermediate.dense(x))))}.
 *
 * <p>Shapes: x (B, T, C) -&gt; (B, T, C).
 */
public final class BertLayer extends AbstractBlock {

    private final float dropout;
    private final BertAttention attention;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm norm;

    BertLayer(BertConfig config, Supplier<Initializer> init) {
        int c = config.hiddenSize();
        this.dropout = config.dropout();
        this.attention = addChildBlock("attention", new BertAttention(config, init));
        this.intermediate =
                addChildBlock(
                        "intermediate.dense", new Linear(c, config.intermediateSize(), init.get()));
        this.output =
                addChildBlock("output.dense", new Linear(config.intermediateSize(), c, init.get()));
        this.norm = addChildBlock("output.LayerNorm", new LayerNorm(c, config.layerNormEpsilon()));
    }

    NDArray forward(ParameterStore ps, NDArray x, NDArray mask, boolean training) {
        // Intermediates are released as soon as used (see Handles); the caller keeps x.
        NDArray a = attention.forward(ps, x, mask, training);
        NDArray inner = intermediate.apply(ps, a, training);
        NDArray h = Activations.gelu(inner); // (B, T, inner)
        NDArray y = output.apply(ps, h, training);
        Handles.close(inner, h);
        if (training && dropout > 0) {
            NDArray dropped = Dropout.dropout(y, dropout, true).singletonOrThrow();
            Handles.close(y);
            y = dropped;
        }
        y.addi(a); // in place: y is saved by no backward function
        NDArray out = norm.apply(ps, y, training);
        Handles.close(a, y);
        return out;
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
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

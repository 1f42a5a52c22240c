package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.Activations;
import io.belamy.core.nn.Conv1D;
import io.belamy.core.nn.Handles;

/**
 * GPT-2's feed-forward block ({@code GPT2MLP}): {@code c_proj(gelu_new(c_fc(x)))}.
 *
 * <p>Shapes: x (B, T, C) -&gt; (B, T, inner) -&gt; (B, T, C).
 */
public final class Mlp extends AbstractBlock {

    static final String C_FC = "c_fc";
    static final String C_PROJ = "c_proj";

    private final Conv1D cFc;
    private final Conv1D cProj;
    private Activations.GeluNew gelu; // its constants are made with the parameters

    Mlp(GptConfig config, Initializer weightInit, Initializer projInit) {
        this.cFc =
                addChildBlock(
                        C_FC, new Conv1D(config.embeddingSize(), config.innerSize(), weightInit));
        this.cProj =
                addChildBlock(
                        C_PROJ, new Conv1D(config.innerSize(), config.embeddingSize(), projInit));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray inner = cFc.apply(ps, x, training);
        NDArray activated = gelu.apply(inner);
        Handles.close(inner);
        NDArray out = cProj.apply(ps, activated, training);
        Handles.close(activated);
        return out;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        cFc.initialize(manager, dataType, inputShapes);
        gelu = new Activations.GeluNew(manager, dataType);
        cProj.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}

package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;

/**
 * Layer normalization over the last axis with learned scale ({@code weight}) and shift ({@code
 * bias}), as {@code torch.nn.LayerNorm(size, eps)}.
 *
 * <p>Shapes: x (..., C) -&gt; (..., C).
 */
public final class LayerNorm extends LeafBlock {

    private final int size;
    private final float epsilon;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int size, float epsilon) {
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("layer norm epsilon must be > 0, got " + epsilon);
        }
        this.size = size;
        this.epsilon = epsilon;
        this.weight = param("weight", Parameter.Type.GAMMA, new Shape(size), ones());
        this.bias = param("bias", Parameter.Type.BETA, new Shape(size), zeros());
    }

    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = value(ps, weight, x, training);
        NDArray b = value(ps, bias, x, training);
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(size), g, b, epsilon)
                .singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    public String toString() {
        return "LayerNorm(" + size + ", eps=" + epsilon + ")";
    }
}

package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

/**
 * {@code torch.nn.Linear}: weight stored as [out, in], {@code y = x @ weight^T + bias}.
 *
 * <p>Shapes: x (..., in) -&gt; y (..., out).
 */
public final class Linear extends LeafBlock {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int in, int out, Initializer weightInit) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(out, in), weightInit);
        this.bias = param("bias", Parameter.Type.BIAS, new Shape(out), zeros());
    }

    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = value(ps, weight, x, training);
        NDArray b = value(ps, bias, x, training);
        return ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public String toString() {
        return "Linear(" + in + " -> " + out + ")";
    }
}

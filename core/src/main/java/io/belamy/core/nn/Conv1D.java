package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

/**
 * GPT-2's "Conv1D": an affine map whose weight is stored as [in, out] (the transpose of {@code
 * torch.nn.Linear}), so {@code y = x @ weight + bias}.
 *
 * <p>Shapes: x (..., in) -&gt; y (..., out).
 */
public final class Conv1D extends LeafBlock {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Conv1D(int in, int out, Initializer weightInit) {
        this.in = in;
        this.out = out;
        this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(in, out), weightInit);
        this.bias = param("bias", Parameter.Type.BIAS, new Shape(out), zeros());
    }

    // Inference reuses the transposed view of the weight (a view shares its storage, so it sees
    // in-place updates); training takes a fresh one each call, as autograd records it.
    private NDArray viewed;
    private NDArray transposed;

    @Override
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = value(ps, weight, x, training);
        NDArray b = value(ps, bias, x, training);
        // torch linear() takes [out, in]: a transposed view, no copy; one fused op (addmm)
        if (training) {
            try (NDArray wt = w.transpose()) {
                return Linear.linear(x, wt, b).singletonOrThrow();
            }
        }
        return Linear.linear(x, transposedView(w), b).singletonOrThrow();
    }

    private synchronized NDArray transposedView(NDArray w) {
        if (w != viewed || transposed == null || transposed.isReleased()) {
            if (transposed != null && !transposed.isReleased()) {
                transposed.close();
            }
            transposed = w.transpose(); // in the weight's manager: closed with the model
            viewed = w;
        }
        return transposed;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {s.slice(0, s.dimension() - 1).add(out)};
    }

    @Override
    public String toString() {
        return "Conv1D(" + in + " -> " + out + ")";
    }
}

package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;

/**
 * A lookup table of {@code count} vectors of size {@code size} ({@code weight} is [count, size]).
 *
 * <p>Shapes: ids (...) int64 -&gt; (..., size).
 */
public final class Embedding extends LeafBlock {

    private final int count;
    private final int size;
    private final Parameter weight;

    public Embedding(int count, int size, Initializer init) {
        this.count = count;
        this.size = size;
        this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(count, size), init);
    }

    @Override
    public NDArray apply(ParameterStore ps, NDArray ids, boolean training) {
        NDArray w = value(ps, weight, ids, training);
        return ai.djl.nn.core.Embedding.embedding(ids, w, SparseFormat.DENSE).singletonOrThrow();
    }

    /** The table itself, e.g. for an output layer tied to this embedding. */
    public NDArray table(ParameterStore ps, NDArray like, boolean training) {
        return value(ps, weight, like, training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0].add(size)};
    }

    @Override
    public String toString() {
        return "Embedding(" + count + ", " + size + ")";
    }
}

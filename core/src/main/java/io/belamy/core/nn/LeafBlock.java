package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A block with its own parameters and no children, applied to one array. Parameter names are the
 * PyTorch ones ({@code weight}, {@code bias}) so that {@link ParameterNames} yields checkpoint
 * names.
 */
abstract class LeafBlock extends AbstractBlock {

    /** Applies the block to one array. */
    public abstract NDArray apply(ParameterStore ps, NDArray x, boolean training);

    @Override
    protected final NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(apply(ps, inputs.singletonOrThrow(), training));
    }

    /** The value of a parameter for an input on {@code x}'s device. */
    static NDArray value(ParameterStore ps, Parameter p, NDArray x, boolean training) {
        return ps.getValue(p, x.getDevice(), training);
    }

    final Parameter param(String name, Parameter.Type type, Shape shape, Initializer init) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(type)
                        .optShape(shape)
                        .optInitializer(init)
                        .build());
    }

    static Initializer zeros() {
        return new ConstantInitializer(0f);
    }

    static Initializer ones() {
        return new ConstantInitializer(1f);
    }
}

package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.belamy.core.io.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Copies named weights between a block's parameters and safetensors tensors. */
public final class Weights {

    private Weights() {}

    /**
     * Sets every parameter from the tensor of the same name (widened to float32).
     *
     * @throws IllegalArgumentException naming a missing tensor, or one whose shape or type does not
     *     match
     */
    public static void assign(Map<String, Parameter> parameters, Map<String, Tensor> tensors) {
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            String name = e.getKey();
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new IllegalArgumentException("checkpoint lacks tensor \"" + name + "\"");
            }
            NDArray array = e.getValue().getArray();
            long[] expected = array.getShape().getShape();
            if (!Arrays.equals(t.shape(), expected)) {
                throw new IllegalArgumentException(
                        "tensor \""
                                + name
                                + "\" has shape "
                                + Arrays.toString(t.shape())
                                + " but the config needs "
                                + Arrays.toString(expected));
            }
            if (!t.dtype().isFloating()) {
                throw new IllegalArgumentException(
                        "tensor \""
                                + name
                                + "\" has dtype "
                                + t.dtype()
                                + ", expected a float type");
            }
            array.set(t.toFloats());
        }
    }

    /** The parameters as float32 tensors under their names. */
    public static Map<String, Tensor> toTensors(Map<String, Parameter> parameters) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray array = e.getValue().getArray();
            out.put(e.getKey(), Tensor.ofFloats(array.getShape().getShape(), array.toFloatArray()));
        }
        return out;
    }
}

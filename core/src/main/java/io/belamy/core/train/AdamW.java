package io.belamy.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.belamy.core.io.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, updating parameters in place through PyTorch's fused kernel
 * (DJL's {@code adamUpdate}); its moments are ordinary arrays, so they can be saved and restored
 * with the weights.
 *
 * <p>Per step t: {@code w -= lr * wd * w}; {@code m = b1 m + (1 - b1) g}; {@code v = b2 v + (1 -
 * b2) g^2}; {@code w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)}. Weight decay
 * applies to matrices only (rank &gt;= 2).
 */
final class AdamW implements AutoCloseable {

    private final Map<String, Parameter> parameters;
    private final TrainingConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private long t;

    AdamW(Map<String, Parameter> parameters, TrainingConfig config, NDManager parent) {
        this.parameters = parameters;
        this.config = config;
        this.manager = parent.newSubManager();
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray w = e.getValue().getArray();
            means.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
            variances.put(e.getKey(), manager.zeros(w.getShape(), w.getDataType()));
        }
    }

    /**
     * Applies one update from the parameters' gradients (then zeroes them).
     *
     * @param learningRate this step's rate
     * @param gradientScale factor applied to every gradient first (global-norm clipping)
     */
    void update(double learningRate, float gradientScale) {
        t++;
        double biasCorrection =
                learningRate
                        * Math.sqrt(1 - Math.pow(config.beta2(), t))
                        / (1 - Math.pow(config.beta1(), t));
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            NDArray w = e.getValue().getArray();
            float decay = w.getShape().dimension() >= 2 ? (float) config.weightDecay() : 0f;
            try (NDArray grad = w.getGradient()) { // a handle on the gradient, closed after use
                w.getNDArrayInternal()
                        .adamUpdate(
                                new NDList(
                                        w, grad, means.get(e.getKey()), variances.get(e.getKey())),
                                new NDList(w),
                                (float) learningRate,
                                (float) biasCorrection,
                                decay,
                                gradientScale,
                                -1f, // no element-wise clipping
                                (float) config.beta1(),
                                (float) config.beta2(),
                                (float) config.epsilon(),
                                false,
                                true);
            }
        }
    }

    /** Steps taken. */
    long steps() {
        return t;
    }

    /** The moments as tensors {@code adam.m.<name>} and {@code adam.v.<name>}. */
    Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        means.forEach(
                (k, v) ->
                        out.put(
                                "adam.m." + k,
                                Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        variances.forEach(
                (k, v) ->
                        out.put(
                                "adam.v." + k,
                                Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /**
     * Restores moments and step count.
     *
     * @throws IllegalArgumentException naming a missing moment
     */
    void restore(Map<String, Tensor> state, long steps) {
        for (String name : parameters.keySet()) {
            load(means.get(name), state.get("adam.m." + name), "adam.m." + name);
            load(variances.get(name), state.get("adam.v." + name), "adam.v." + name);
        }
        t = steps;
    }

    private static void load(NDArray target, Tensor tensor, String name) {
        if (tensor == null) {
            throw new IllegalArgumentException("optimizer state lacks \"" + name + "\"");
        }
        target.set(tensor.toFloats());
    }

    @Override
    public void close() {
        manager.close();
    }
}

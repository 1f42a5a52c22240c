package io.belamy.core.music.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.belamy.core.io.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam over named arrays (no weight decay), with the gradients passed in: PyTorch's fused update
 * through DJL's {@code adamUpdate}, in place. Moments are ordinary arrays, saved and restored with
 * the weights.
 */
final class ArrayAdam implements AutoCloseable {

    private final Map<String, NDArray> weights;
    private final float learningRate;
    private final float beta1;
    private final float beta2;
    private final NDManager manager;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private long t;

    ArrayAdam(
            Map<String, NDArray> weights,
            float learningRate,
            float beta1,
            float beta2,
            NDManager parent) {
        this.weights = weights;
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.manager = parent.newSubManager();
        weights.forEach(
                (k, w) -> {
                    means.put(k, manager.zeros(w.getShape(), w.getDataType()));
                    variances.put(k, manager.zeros(w.getShape(), w.getDataType()));
                });
    }

    /** One update; {@code gradients} holds an array for every weight. */
    void update(Map<String, NDArray> gradients) {
        t++;
        float corrected =
                (float)
                        (learningRate
                                * Math.sqrt(1 - Math.pow(beta2, t))
                                / (1 - Math.pow(beta1, t)));
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray w = e.getValue();
            NDArray g = gradients.get(e.getKey());
            if (g == null) {
                throw new IllegalStateException("no gradient for " + e.getKey());
            }
            w.getNDArrayInternal()
                    .adamUpdate(
                            new NDList(w, g, means.get(e.getKey()), variances.get(e.getKey())),
                            new NDList(w),
                            learningRate,
                            corrected,
                            0f,
                            1f,
                            -1f,
                            beta1,
                            beta2,
                            1e-8f,
                            false,
                            true);
        }
    }

    long steps() {
        return t;
    }

    /** Moments as tensors {@code <prefix>m.<name>} and {@code <prefix>v.<name>}. */
    Map<String, Tensor> state(String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        means.forEach(
                (k, v) ->
                        out.put(
                                prefix + "m." + k,
                                Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        variances.forEach(
                (k, v) ->
                        out.put(
                                prefix + "v." + k,
                                Tensor.ofFloats(v.getShape().getShape(), v.toFloatArray())));
        return out;
    }

    /**
     * Restores moments and the step count.
     *
     * @throws IllegalArgumentException naming a missing moment
     */
    void restore(Map<String, Tensor> state, String prefix, long steps) {
        for (String k : weights.keySet()) {
            load(means.get(k), state.get(prefix + "m." + k), prefix + "m." + k);
            load(variances.get(k), state.get(prefix + "v." + k), prefix + "v." + k);
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

package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;

/** Activation functions by their Hugging Face config names. */
public final class Activations {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private Activations() {}

    /**
     * GPT-2's {@code gelu_new} (the tanh approximation): {@code 0.5 x (1 + tanh(sqrt(2/pi) (x +
     * 0.044715 x^3)))}.
     */
    public static NDArray geluNew(NDArray x) {
        // Out-of-place throughout (tanh's backward needs its output unmodified), and scalars from
        // x's manager so that they outlive the backward pass (see Scalars).
        NDArray cube = x.mul(x).mul(x);
        NDArray inner =
                cube.mul(Scalars.of(x, 0.044715f)).add(x).mul(Scalars.of(x, SQRT_2_OVER_PI));
        return inner.tanh().add(Scalars.of(x, 1f)).mul(x).mul(Scalars.of(x, 0.5f));
    }

    /** BERT's {@code gelu}: the exact form {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }
}

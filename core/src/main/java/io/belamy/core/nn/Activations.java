package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Activation functions by their Hugging Face config names. */
public final class Activations {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    private Activations() {}

    /**
     * GPT-2's {@code gelu_new} (the tanh approximation): {@code 0.5 x (1 + tanh(sqrt(2/pi) (x +
     * 0.044715 x^3)))}, computed as {@code x sigmoid(x (a + b x^2))} with {@code a = 2 sqrt(2/pi)}
     * and {@code b = 0.044715 a} (the same function: {@code 0.5 (1 + tanh(z)) = sigmoid(2 z)}) in
     * six operations instead of eight, none of them a tensor power (whose backward is slow). The
     * constants are arrays made once, with the model's parameters (see {@link Scalars#constant}).
     */
    public static final class GeluNew {

        private final NDArray a;
        private final NDArray b;

        /** Makes the constants in {@code manager}, which must outlive every use. */
        public GeluNew(NDManager manager, DataType dataType) {
            float twoSqrt2OverPi = 2 * SQRT_2_OVER_PI;
            this.a = Scalars.constant(manager, dataType, twoSqrt2OverPi);
            this.b = Scalars.constant(manager, dataType, 0.044715f * twoSqrt2OverPi);
        }

        public NDArray apply(NDArray x) {
            // Every fresh array costs page faults, so the chain updates in place wherever
            // autograd allows (x^2 is saved by no backward function; x, slope and gate are) and
            // releases intermediates at once (see Handles).
            NDArray slope = x.square(); // pow(x, 2): one tensor saved, one product in backward
            slope.muli(b).addi(a);
            NDArray z = slope.mul(x);
            Handles.close(slope);
            NDArray gate = ai.djl.nn.Activation.sigmoid(z);
            Handles.close(z);
            NDArray out = gate.mul(x);
            Handles.close(gate);
            return out;
        }
    }

    /** BERT's {@code gelu}: the exact form {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }
}

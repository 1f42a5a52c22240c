package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Loss functions. */
public final class Losses {

    /** Target value of positions that take no part in a loss, as in PyTorch. */
    public static final int IGNORE = -100;

    private Losses() {}

    /**
     * Mean cross-entropy of the targets under the logits, over positions whose target is not {@link
     * #IGNORE}.
     *
     * @param logits (..., V)
     * @param targets (...) int64
     * @return a scalar
     */
    public static NDArray crossEntropy(NDArray logits, NDArray targets) {
        NDArray counted = targets.neq(IGNORE); // (...) bool
        NDArray weights = counted.toType(DataType.FLOAT32, false);
        NDArray safe =
                targets.mul(
                        counted.toType(DataType.INT64, false)); // IGNORE -> 0, weighted out below
        NDArray picked = logits.logSoftmax(-1).gather(safe.expandDims(-1), -1).squeeze(-1); // (...)
        return picked.mul(weights).sum().div(weights.sum()).neg();
    }
}

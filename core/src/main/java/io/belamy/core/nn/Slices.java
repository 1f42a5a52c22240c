package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * Reads and writes of a box of an array ({@code [start, stop)} along its leading dimensions, the
 * rest whole) in one engine call each.
 *
 * <p>DJL's {@code get(NDIndex)} and {@code set(NDIndex, array)} parse the index and build it on the
 * PyTorch side call by call (an index object, one call per dimension, the access, a delete): six or
 * more native calls where PyTorch needs one. A decode step of a small model is a few hundred such
 * calls, so the KV cache's reads and writes go through here. For example, {@code view(keys, step,
 * new long[] {0, 0, 0}, new long[] {1, 4, 9})} is {@code keys[0:1, 0:4, 0:9]}.
 */
public final class Slices {

    private Slices() {}

    /**
     * A view (no copy) of {@code a[start[0]:stop[0], start[1]:stop[1], ...]}, owned by {@code
     * into}.
     *
     * @throws IllegalArgumentException when the bounds have different lengths, are longer than the
     *     array's rank or fall outside it
     */
    public static NDArray view(NDArray a, NDManager into, long[] start, long[] stop) {
        checkBox(a, start, stop);
        return JniUtils.index(torch(a), start, stop, ones(start.length), (PtNDManager) into);
    }

    /**
     * Copies {@code value} into {@code target[start[0]:stop[0], ...]} in place; {@code value} must
     * have the box's shape or broadcast to it.
     *
     * @throws IllegalArgumentException when the bounds are invalid (see {@link #view})
     */
    public static void write(NDArray target, long[] start, long[] stop, NDArray value) {
        checkBox(target, start, stop);
        JniUtils.indexSet(torch(target), torch(value), start, stop, ones(start.length));
    }

    private static void checkBox(NDArray a, long[] start, long[] stop) {
        long[] shape = a.getShape().getShape();
        if (start.length != stop.length || start.length > shape.length) {
            throw new IllegalArgumentException(
                    "slice bounds "
                            + Arrays.toString(start)
                            + " to "
                            + Arrays.toString(stop)
                            + " do not fit an array of shape "
                            + a.getShape());
        }
        for (int d = 0; d < start.length; d++) {
            if (start[d] < 0 || start[d] > stop[d] || stop[d] > shape[d]) {
                throw new IllegalArgumentException(
                        "slice ["
                                + start[d]
                                + ", "
                                + stop[d]
                                + ") of dimension "
                                + d
                                + " is outside an array of shape "
                                + a.getShape());
            }
        }
    }

    private static PtNDArray torch(NDArray a) {
        if (a instanceof PtNDArray pt) {
            return pt;
        }
        throw new IllegalArgumentException(
                "belamy runs on DJL's PyTorch engine; got an array of " + a.getClass().getName());
    }

    private static long[] ones(int n) {
        long[] steps = new long[n];
        Arrays.fill(steps, 1);
        return steps;
    }
}

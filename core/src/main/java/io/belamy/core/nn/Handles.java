package io.belamy.core.nn;

import ai.djl.ndarray.NDArray;

/**
 * Early release of intermediate arrays.
 *
 * <p>Every DJL array stays alive until its manager closes, which for a training step means every
 * intermediate of the forward pass lives until the step ends: about 1 GB per step for the small GPT
 * preset, all of it freshly allocated (page faults, zeroing) on every step. Closing a handle as
 * soon as the next operation has consumed it lets PyTorch reuse the memory at once. Autograd keeps
 * its own reference to whatever the backward pass needs, so closing a handle never changes a
 * gradient; only arrays PyTorch allocated may be released this way (not parameters, not arrays made
 * from Java buffers such as {@link Scalars}).
 */
public final class Handles {

    private Handles() {}

    /** Closes each non-null array handle. */
    public static void close(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }
}

package io.belamy.core.train;

/**
 * What one training step did.
 *
 * @param step number of steps done, this one included
 * @param loss mean loss of the batch before the update
 * @param gradNorm global L2 norm of the gradients before clipping
 * @param learningRate the rate used
 * @param tokens tokens trained in this step
 * @param nanos wall time of the step, waiting for the training gate excluded
 */
public record StepResult(
        long step, double loss, double gradNorm, double learningRate, long tokens, long nanos) {

    /** Tokens per second of this step. */
    public double tokensPerSecond() {
        return tokens / (nanos / 1e9);
    }
}

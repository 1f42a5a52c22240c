package io.belamy.train;

import io.belamy.core.train.TrainingConfig;
import java.io.Serializable;
import java.time.Duration;

/**
 * What a training operator needs to know, parsed once from the job's options.
 *
 * @param name model name in the store and on the models topic
 * @param source preset or checkpoint to start from
 * @param store model store root (a path)
 * @param training batches, optimizer, schedule
 * @param stepsPerVersion publish a version every this many steps
 * @param versionInterval ... or when this much time has passed since the last one (and steps were
 *     taken)
 * @param evalInterval compute the held-out loss every this many steps (and at each version)
 * @param heldOutSequences most held-out sequences kept for evaluation
 * @param inlineStateLimit training state up to this many bytes lives in Flink state; larger state
 *     is written to the store and referenced
 */
public record TrainSettings(
        String name,
        ModelSource source,
        String store,
        TrainingConfig training,
        int stepsPerVersion,
        Duration versionInterval,
        int evalInterval,
        int heldOutSequences,
        long inlineStateLimit)
        implements Serializable {

    public TrainSettings {
        if (stepsPerVersion < 1) {
            throw new IllegalArgumentException(
                    "steps per version must be >= 1, got " + stepsPerVersion);
        }
        if (evalInterval < 1) {
            throw new IllegalArgumentException("eval interval must be >= 1, got " + evalInterval);
        }
    }
}

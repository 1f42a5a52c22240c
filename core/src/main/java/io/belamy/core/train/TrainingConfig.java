package io.belamy.core.train;

/**
 * How a language model is trained: batches, optimizer (AdamW), schedule and clipping.
 *
 * @param batchSize sequences per step (B)
 * @param sequenceLength tokens per sequence (T)
 * @param schedule learning rate per step
 * @param beta1 AdamW's first-moment decay
 * @param beta2 AdamW's second-moment decay
 * @param epsilon AdamW's epsilon
 * @param weightDecay decoupled weight decay, applied to matrices (not biases, norms or vectors)
 * @param maxGradNorm clip the global gradient L2 norm to this; 0 disables clipping
 * @param maskProbability share of tokens masked for BERT (80% [MASK], 10% random, 10% kept)
 * @param seed seed of masking and of fresh weights
 */
public record TrainingConfig(
        int batchSize,
        int sequenceLength,
        Schedule schedule,
        double beta1,
        double beta2,
        double epsilon,
        double weightDecay,
        double maxGradNorm,
        double maskProbability,
        long seed)
        implements java.io.Serializable {

    public TrainingConfig {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        if (sequenceLength < 2) {
            throw new IllegalArgumentException(
                    "sequence length must be >= 2, got " + sequenceLength);
        }
        if (schedule == null) {
            throw new IllegalArgumentException("a learning rate schedule is needed");
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException(
                    "AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("AdamW epsilon must be > 0, got " + epsilon);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        }
        if (!(maxGradNorm >= 0)) {
            throw new IllegalArgumentException(
                    "max gradient norm must be >= 0 (0 = no clipping), got " + maxGradNorm);
        }
        if (!(maskProbability > 0 && maskProbability < 1)) {
            throw new IllegalArgumentException(
                    "mask probability must be in (0, 1), got " + maskProbability);
        }
    }

    /**
     * Defaults for the presets: batch 16 x 128 tokens, AdamW (0.9, 0.95, 1e-8, decay 0.1), peak
     * rate 1e-3 warmed up over 100 steps and cosine-decayed to 1e-4 by step 5000, gradient norm
     * clipped to 1, 15% masking.
     */
    public static TrainingConfig defaults() {
        return new TrainingConfig(
                16,
                128,
                new Schedule(Schedule.Shape.COSINE, 1e-3, 1e-4, 100, 5000),
                0.9,
                0.95,
                1e-8,
                0.1,
                1.0,
                0.15,
                1);
    }

    /** Defaults for fine-tuning a checkpoint: a lower peak rate (1e-4) and shorter warm-up. */
    public static TrainingConfig fineTuning() {
        TrainingConfig d = defaults();
        return d.withSchedule(new Schedule(Schedule.Shape.COSINE, 1e-4, 1e-5, 20, 5000));
    }

    /** Tokens in one batch. */
    public int tokensPerBatch() {
        return batchSize * sequenceLength;
    }

    public TrainingConfig withSchedule(Schedule s) {
        return new TrainingConfig(
                batchSize,
                sequenceLength,
                s,
                beta1,
                beta2,
                epsilon,
                weightDecay,
                maxGradNorm,
                maskProbability,
                seed);
    }

    public TrainingConfig withBatch(int batchSize, int sequenceLength) {
        return new TrainingConfig(
                batchSize,
                sequenceLength,
                schedule,
                beta1,
                beta2,
                epsilon,
                weightDecay,
                maxGradNorm,
                maskProbability,
                seed);
    }
}

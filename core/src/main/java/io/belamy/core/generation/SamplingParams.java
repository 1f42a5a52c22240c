package io.belamy.core.generation;

import java.util.List;

/**
 * How to pick each next token, and when to stop.
 *
 * <p>Order of application, as in Hugging Face {@code generate}: repetition penalty, then greedy
 * choice when {@code temperature == 0}, else temperature, top-k, top-p and a seeded draw.
 *
 * @param maxTokens most new tokens to generate, &gt;= 1
 * @param temperature logits are divided by it; 0 means greedy (always the most likely token)
 * @param topK keep only the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose probability reaches p, in (0, 1]
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens already in the
 *     prompt or output; 1 is off, &gt; 1 discourages repeats
 * @param stop strings that end generation; the text is cut before the first one
 * @param seed seed of the draw; null picks one at random (reported in the result)
 * @param truncation what to do with a prompt that is too long
 */
public record SamplingParams(
        int maxTokens,
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        List<String> stop,
        Long seed,
        Truncation truncation) {

    /** Default budget of new tokens. */
    public static final int DEFAULT_MAX_TOKENS = 128;

    public static final float DEFAULT_TEMPERATURE = 0.8f;
    public static final int DEFAULT_TOP_K = 50;
    public static final float DEFAULT_TOP_P = 0.95f;
    public static final float DEFAULT_REPETITION_PENALTY = 1.0f;

    /** Most stop strings per request. */
    public static final int MAX_STOP_STRINGS = 16;

    /** Longest stop string, in characters. */
    public static final int MAX_STOP_LENGTH = 256;

    public SamplingParams {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException(
                    "repetitionPenalty must be a finite number > 0 (1 = off), got "
                            + repetitionPenalty);
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > MAX_STOP_STRINGS) {
            throw new IllegalArgumentException(
                    "at most " + MAX_STOP_STRINGS + " stop strings, got " + stop.size());
        }
        for (String s : stop) {
            if (s.isEmpty() || s.length() > MAX_STOP_LENGTH) {
                throw new IllegalArgumentException(
                        "stop strings must have 1 to "
                                + MAX_STOP_LENGTH
                                + " characters, got \""
                                + s
                                + "\"");
            }
        }
        truncation = truncation == null ? Truncation.NONE : truncation;
    }

    /** The defaults: 128 tokens, temperature 0.8, top-k 50, top-p 0.95, no penalty, no stops. */
    public static SamplingParams defaults() {
        return builder().build();
    }

    /** Greedy decoding of up to {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return builder().maxTokens(maxTokens).temperature(0).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the next token is always the most likely one. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** A builder starting from this record's values. */
    public Builder toBuilder() {
        return new Builder()
                .maxTokens(maxTokens)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .stop(stop)
                .seed(seed)
                .truncation(truncation);
    }

    /** Builds {@link SamplingParams}, validating on {@link #build()}. */
    public static final class Builder {
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private float temperature = DEFAULT_TEMPERATURE;
        private int topK = DEFAULT_TOP_K;
        private float topP = DEFAULT_TOP_P;
        private float repetitionPenalty = DEFAULT_REPETITION_PENALTY;
        private List<String> stop = List.of();
        private Long seed;
        private Truncation truncation = Truncation.NONE;

        private Builder() {}

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(float topP) {
            this.topP = topP;
            return this;
        }

        public Builder repetitionPenalty(float repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder stop(List<String> stop) {
            this.stop = stop;
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder truncation(Truncation truncation) {
            this.truncation = truncation;
            return this;
        }

        public SamplingParams build() {
            return new SamplingParams(
                    maxTokens, temperature, topK, topP, repetitionPenalty, stop, seed, truncation);
        }
    }
}

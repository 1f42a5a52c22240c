package io.belamy.core.topic;

import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.Truncation;
import java.util.List;

/**
 * Parameters of a prompt; every field is optional and falls back to belamy's default.
 *
 * @param maxTokens most new tokens (text)
 * @param temperature sampling temperature, 0 = greedy (text)
 * @param topK keep the k most likely tokens, 0 = off (text)
 * @param topP nucleus probability in (0, 1] (text)
 * @param repetitionPenalty &gt; 0, 1 = off (text)
 * @param stop stop strings (text)
 * @param seed seed of the sampler or of the music generator's latent draw
 * @param truncation {@code none} (default) or {@code left} for prompts longer than the context
 * @param bars bars of music to generate (music)
 * @param tempo tempo in beats per minute (music)
 * @param tracks which tracks to keep, e.g. {@code ["drums", "bass"]} (music)
 */
public record PromptParams(
        Integer maxTokens,
        Float temperature,
        Integer topK,
        Float topP,
        Float repetitionPenalty,
        List<String> stop,
        Long seed,
        String truncation,
        Integer bars,
        Float tempo,
        List<String> tracks) {

    public PromptParams {
        stop = stop == null ? null : List.copyOf(stop);
        tracks = tracks == null ? null : List.copyOf(tracks);
    }

    /** No parameters: all defaults. */
    public static PromptParams none() {
        return new PromptParams(null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Text parameters from sampling parameters (the seed as given, possibly null). */
    public static PromptParams of(SamplingParams p) {
        return new PromptParams(
                p.maxTokens(),
                p.temperature(),
                p.topK(),
                p.topP(),
                p.repetitionPenalty(),
                p.stop().isEmpty() ? null : p.stop(),
                p.seed(),
                p.truncation() == Truncation.NONE
                        ? null
                        : p.truncation().name().toLowerCase(java.util.Locale.ROOT),
                null,
                null,
                null);
    }

    /**
     * The sampling parameters these values ask for.
     *
     * @throws IllegalArgumentException naming the parameter and value when one is out of range
     */
    public SamplingParams toSamplingParams() {
        SamplingParams.Builder b = SamplingParams.builder();
        if (maxTokens != null) {
            b.maxTokens(maxTokens);
        }
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (topK != null) {
            b.topK(topK);
        }
        if (topP != null) {
            b.topP(topP);
        }
        if (repetitionPenalty != null) {
            b.repetitionPenalty(repetitionPenalty);
        }
        if (stop != null) {
            b.stop(stop);
        }
        if (truncation != null) {
            b.truncation(Truncation.parse(truncation));
        }
        return b.seed(seed).build();
    }
}

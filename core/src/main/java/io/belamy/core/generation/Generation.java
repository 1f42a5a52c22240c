package io.belamy.core.generation;

/**
 * The result of one generation.
 *
 * @param text the continuation (without the prompt, cut before any stop string)
 * @param promptTokenIds the prompt's token ids as fed to the model (after any truncation)
 * @param tokenIds every generated token id, including those of a stop string, excluding EOS
 * @param finishReason why it ended
 * @param seed the seed of the draw (given or picked)
 * @param timeToFirstTokenNanos from the start of the call to the first generated token
 * @param totalNanos from the start of the call to the end
 */
public record Generation(
        String text,
        int[] promptTokenIds,
        int[] tokenIds,
        FinishReason finishReason,
        long seed,
        long timeToFirstTokenNanos,
        long totalNanos) {

    public Generation {
        promptTokenIds = promptTokenIds.clone();
        tokenIds = tokenIds.clone();
    }

    @Override
    public int[] promptTokenIds() {
        return promptTokenIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}

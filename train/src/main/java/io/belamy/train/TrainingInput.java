package io.belamy.train;

/**
 * What {@link TokenizeAndPack} sends to {@link TrainLanguageModel}: a packed sequence (training or
 * held out), or a progress marker ({@code tokens == null}) carrying the packer's counters after
 * each chunk, so that model versions report how much text has arrived and how much is pending.
 *
 * @param tokens the sequence's ids; null for a progress marker
 * @param realLength ids before padding
 * @param trainTokens stream tokens the sequence trains on
 * @param heldOut a held-out sequence: evaluated, never trained on
 * @param tokensSeen training tokens the packer has received in all
 * @param packerPending of those, tokens still waiting in the packer
 * @param chunks corpus chunks received (training and held out)
 */
public record TrainingInput(
        long[] tokens,
        int realLength,
        int trainTokens,
        boolean heldOut,
        long tokensSeen,
        long packerPending,
        long chunks) {

    public boolean isMarker() {
        return tokens == null;
    }
}

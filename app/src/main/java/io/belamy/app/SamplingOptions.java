package io.belamy.app;

import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.Truncation;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Decoding options shared by the commands that generate text. */
final class SamplingOptions {

    @Option(
            names = "--max-tokens",
            paramLabel = "N",
            description = "Most new tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxTokens = SamplingParams.DEFAULT_MAX_TOKENS;

    @Option(
            names = "--temperature",
            paramLabel = "T",
            description =
                    "Sampling temperature, >= 0; 0 means greedy, always the most likely token"
                            + " (default: ${DEFAULT-VALUE}).")
    float temperature = SamplingParams.DEFAULT_TEMPERATURE;

    @Option(
            names = "--top-k",
            paramLabel = "K",
            description =
                    "Sample only from the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK = SamplingParams.DEFAULT_TOP_K;

    @Option(
            names = "--top-p",
            paramLabel = "P",
            description =
                    "Sample only from the most likely tokens whose probability adds up to P, in (0,"
                            + " 1]; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP = SamplingParams.DEFAULT_TOP_P;

    @Option(
            names = "--repetition-penalty",
            paramLabel = "R",
            description =
                    "Penalty > 0 for tokens already in the prompt or output; 1 = off, > 1"
                            + " discourages repeats (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty = SamplingParams.DEFAULT_REPETITION_PENALTY;

    @Option(
            names = "--stop",
            paramLabel = "S",
            description = "Stop when S appears; the output ends just before it. Repeatable.")
    List<String> stop = new ArrayList<>();

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            description =
                    "Seed of the sampler: the same model, prompt, options and seed give the same"
                            + " output (default: random, reported with --json).")
    Long seed;

    @Option(
            names = "--truncate",
            paramLabel = "MODE",
            description =
                    "What to do with a prompt too long for the model's context: ${COMPLETION-CANDIDATES}"
                            + " (left keeps its last tokens; default: ${DEFAULT-VALUE}).")
    Truncation truncation = Truncation.NONE;

    /** The validated parameters (IllegalArgumentException naming the bad value otherwise). */
    SamplingParams toParams() {
        return SamplingParams.builder()
                .maxTokens(maxTokens)
                .temperature(temperature)
                .topK(topK)
                .topP(topP)
                .repetitionPenalty(repetitionPenalty)
                .stop(stop)
                .seed(seed)
                .truncation(truncation)
                .build();
    }
}

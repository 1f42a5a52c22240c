package io.belamy.bench;

import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.Tokenizers;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Generation speed at batch 1 with and without the KV cache, on the same model, prompt and tokens,
 * rounds interleaved (A, B, A, B ...) so both sides see the same machine conditions.
 */
public final class KvCacheBenchmark {

    /**
     * @param preset GPT preset ({@code tiny} or {@code small})
     * @param newTokens tokens generated per round
     * @param rounds measured rounds per side, after one warm-up round each
     */
    public record Options(String preset, int newTokens, int rounds) {
        public Options {
            if (newTokens < 1) {
                throw new IllegalArgumentException("new tokens must be >= 1, got " + newTokens);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
            }
        }
    }

    /** Median tokens/s of each side and their ratio. */
    public record Result(double cachedTokensPerSecond, double recomputeTokensPerSecond) {
        public double speedup() {
            return cachedTokensPerSecond / recomputeTokensPerSecond;
        }
    }

    private static final String PROMPT = "It is a truth universally acknowledged, that a ";

    private KvCacheBenchmark() {}

    public static Result run(Options options, PrintStream out) {
        // No end-of-text token: every round generates exactly newTokens tokens.
        GptConfig config =
                GptConfig.preset(options.preset())
                        .withVocabulary(GptConfig.BYTE_VOCAB_SIZE, -1, -1);
        int promptTokens = Tokenizers.bytes().encode(PROMPT).length;
        if (promptTokens + options.newTokens() > config.contextLength()) {
            throw new IllegalArgumentException(
                    "prompt "
                            + promptTokens
                            + " + "
                            + options.newTokens()
                            + " new tokens exceed the "
                            + options.preset()
                            + " context of "
                            + config.contextLength());
        }
        try (GptModel model = GptModel.create(config, Tokenizers.bytes(), 1)) {
            TextGenerator cached = new TextGenerator(model, true);
            TextGenerator recompute = new TextGenerator(model, false);
            SamplingParams params =
                    SamplingParams.builder()
                            .maxTokens(options.newTokens())
                            .temperature(1f)
                            .topK(0)
                            .topP(1f)
                            .seed(7L)
                            .build();
            out.printf(
                    Locale.ROOT,
                    "kv-cache benchmark: preset %s (%.1fM parameters), prompt %d tokens, %d new"
                            + " tokens, batch 1, %d rounds per side after 1 warm-up, engine threads %s%n",
                    options.preset(),
                    config.parameterCount() / 1e6,
                    promptTokens,
                    options.newTokens(),
                    options.rounds(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            measure(cached, params);
            measure(recompute, params);
            double[] a = new double[options.rounds()];
            double[] b = new double[options.rounds()];
            out.printf(
                    Locale.ROOT,
                    "%-8s %16s %22s%n",
                    "round",
                    "kv-cache tok/s",
                    "full-recompute tok/s");
            for (int i = 0; i < options.rounds(); i++) {
                a[i] = measure(cached, params);
                b[i] = measure(recompute, params);
                out.printf(Locale.ROOT, "%-8d %16.1f %22.1f%n", i + 1, a[i], b[i]);
            }
            Result result = new Result(median(a), median(b));
            out.printf(
                    Locale.ROOT,
                    "%-8s %16.1f %22.1f%nspeed-up of the KV cache (median / median): %.2fx%n",
                    "median",
                    result.cachedTokensPerSecond(),
                    result.recomputeTokensPerSecond(),
                    result.speedup());
            return result;
        }
    }

    private static double measure(TextGenerator generator, SamplingParams params) {
        Generation g = generator.generate(PROMPT, params, t -> {});
        if (g.tokenIds().length != params.maxTokens()) {
            throw new IllegalStateException(
                    "generated " + g.tokenIds().length + " tokens, expected " + params.maxTokens());
        }
        return g.tokenIds().length / (g.totalNanos() / 1e9);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

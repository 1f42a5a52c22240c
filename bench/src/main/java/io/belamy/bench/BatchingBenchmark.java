package io.belamy.bench;

import io.belamy.core.generation.BatchGenerator;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.Tokenizers;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Aggregate generation tokens/s of continuous batching with {@code concurrency} requests running
 * together, against batch 1 (requests one after another) on the same model, prompts and tokens;
 * rounds interleaved.
 */
public final class BatchingBenchmark {

    /**
     * @param preset GPT preset ({@code tiny} or {@code small})
     * @param concurrency requests running at once on the batched side
     * @param newTokens tokens per request
     * @param rounds measured rounds per side, after one warm-up round each
     */
    public record Options(String preset, int concurrency, int newTokens, int rounds) {
        public Options {
            if (concurrency < 1 || newTokens < 1 || rounds < 1) {
                throw new IllegalArgumentException(
                        "concurrency, tokens and rounds must be >= 1, got "
                                + concurrency
                                + ", "
                                + newTokens
                                + ", "
                                + rounds);
            }
        }
    }

    /** Median aggregate tokens/s of each side and their ratio. */
    public record Result(double batchedTokensPerSecond, double singleTokensPerSecond) {
        public double speedup() {
            return batchedTokensPerSecond / singleTokensPerSecond;
        }
    }

    private static final String[] PROMPTS = {
        "It is a truth universally acknowledged, that a ",
        "Emma Woodhouse, handsome, clever, and rich, ",
        "The family of Dashwood had long been settled ",
        "Sir Walter Elliot, of Kellynch Hall, ",
    };

    private BatchingBenchmark() {}

    public static Result run(Options options, PrintStream out) {
        GptConfig config =
                GptConfig.preset(options.preset())
                        .withVocabulary(GptConfig.BYTE_VOCAB_SIZE, -1, -1); // no end-of-text
        try (GptModel model = GptModel.create(config, Tokenizers.bytes(), 1)) {
            out.printf(
                    Locale.ROOT,
                    "batching benchmark: preset %s (%.1fM parameters), %d requests of %d new"
                            + " tokens, sampled; batched = all %d running together, single = one"
                            + " after another; %d rounds per side after 1 warm-up, engine threads"
                            + " %s%n",
                    options.preset(),
                    config.parameterCount() / 1e6,
                    options.concurrency(),
                    options.newTokens(),
                    options.concurrency(),
                    options.rounds(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"));
            measure(model, options, options.concurrency());
            measure(model, options, 1);
            double[] a = new double[options.rounds()];
            double[] b = new double[options.rounds()];
            out.printf(Locale.ROOT, "%-8s %18s %18s%n", "round", "batched tok/s", "single tok/s");
            for (int i = 0; i < options.rounds(); i++) {
                a[i] = measure(model, options, options.concurrency());
                b[i] = measure(model, options, 1);
                out.printf(Locale.ROOT, "%-8d %18.1f %18.1f%n", i + 1, a[i], b[i]);
            }
            Result result = new Result(KvCacheBenchmark.median(a), KvCacheBenchmark.median(b));
            out.printf(
                    Locale.ROOT,
                    "%-8s %18.1f %18.1f%nspeed-up of batching %d requests (median / median):"
                            + " %.2fx%n",
                    "median",
                    result.batchedTokensPerSecond(),
                    result.singleTokensPerSecond(),
                    options.concurrency(),
                    result.speedup());
            return result;
        }
    }

    /** Aggregate tokens/s of every request, with at most {@code batch} running at once. */
    private static double measure(GptModel model, Options options, int batch) {
        int requests = options.concurrency();
        long[] tokens = {0};
        int[] finished = {0};
        long start = System.nanoTime();
        try (BatchGenerator generator = new BatchGenerator(model, batch)) {
            int next = 0;
            while (finished[0] < requests) {
                while (next < requests && generator.hasRoom()) {
                    SamplingParams params =
                            SamplingParams.builder()
                                    .maxTokens(options.newTokens())
                                    .temperature(1f)
                                    .topK(0)
                                    .topP(1f)
                                    .build();
                    int[] ids = model.tokenizer().encode(PROMPTS[next % PROMPTS.length]);
                    generator.start(
                            new BatchGenerator.Request(
                                    ids,
                                    params,
                                    1000L + next,
                                    System.nanoTime(),
                                    new BatchGenerator.Listener() {
                                        @Override
                                        public void onText(String piece) {}

                                        @Override
                                        public void onDone(Generation g) {
                                            tokens[0] += g.tokenIds().length;
                                            finished[0]++;
                                        }

                                        @Override
                                        public void onError(RuntimeException e) {
                                            throw e;
                                        }
                                    }));
                    next++;
                }
                generator.step();
            }
        }
        if (tokens[0] != (long) requests * options.newTokens()) {
            throw new IllegalStateException(
                    "generated "
                            + tokens[0]
                            + " tokens, expected "
                            + requests * options.newTokens());
        }
        return tokens[0] / ((System.nanoTime() - start) / 1e9);
    }
}

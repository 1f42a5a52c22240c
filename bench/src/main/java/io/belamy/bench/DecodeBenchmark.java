package io.belamy.bench;

import io.belamy.core.generation.BatchGenerator;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.Tokenizers;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Generation tokens/s at batch 1 with a KV cache: belamy's {@link TextGenerator} against an eager
 * PyTorch loop with a KV cache ({@code gpt_reference.py decode-paired}, Debian's python3-torch, in
 * a process kept running) on the same weights, prompt and thread count, greedy so both produce the
 * same tokens (checked). Generations alternate one by one: belamy, PyTorch, belamy ...; each round
 * reports the median of {@code repeats} generations per side.
 */
public final class DecodeBenchmark {

    /**
     * @param preset GPT preset ({@code tiny} or {@code small})
     * @param newTokens tokens per generation
     * @param repeats timed generations per round and side
     * @param rounds rounds per side
     * @param threads intra-op threads of both engines
     * @param batch copies of the prompt decoded together (belamy: {@link BatchGenerator})
     * @param warmupSeconds most time belamy generates before timing, until the JIT has settled (see
     *     {@link JitWarmup}): until then a round measures the interpreter
     */
    public record Options(
            String preset,
            int newTokens,
            int repeats,
            int rounds,
            int threads,
            int batch,
            int warmupSeconds) {
        public Options {
            if (newTokens < 1 || repeats < 1 || rounds < 1 || threads < 1 || batch < 1) {
                throw new IllegalArgumentException(
                        "tokens, repeats, rounds, threads and batch must be positive");
            }
            if (warmupSeconds < 0) {
                throw new IllegalArgumentException(
                        "warm-up seconds must not be negative: " + warmupSeconds);
            }
        }
    }

    /** Median tokens/s of each side and their ratio. */
    public record Result(double belamyTokensPerSecond, double torchTokensPerSecond) {
        public double ratio() {
            return belamyTokensPerSecond / torchTokensPerSecond;
        }
    }

    private static final String PROMPT = "It is a truth universally acknowledged, that a ";

    private DecodeBenchmark() {}

    public static Result run(Options o, PrintStream out) throws Exception {
        GptConfig config =
                GptConfig.preset(o.preset()).withVocabulary(GptConfig.BYTE_VOCAB_SIZE, -1, -1);
        int[] prompt = Tokenizers.bytes().encode(PROMPT);
        if (prompt.length + o.newTokens() > config.contextLength()) {
            throw new IllegalArgumentException(
                    "prompt "
                            + prompt.length
                            + " + "
                            + o.newTokens()
                            + " tokens exceed the "
                            + o.preset()
                            + " context of "
                            + config.contextLength());
        }
        Path dir = Files.createTempDirectory("belamy-decode-");
        try (GptModel model = GptModel.create(config, Tokenizers.bytes(), 1)) {
            TorchReference.prepareDecode(dir, model, prompt, o.newTokens(), o.threads(), o.batch());
            SamplingParams greedy = SamplingParams.greedy(o.newTokens());
            TextGenerator generator = new TextGenerator(model);
            Generation first = generator.generate(prompt, greedy, t -> {}, System.nanoTime());
            if (o.batch() > 1) {
                first = batched(model, prompt, greedy, o.batch()); // warm-up too
            }
            JitWarmup.Result warmup =
                    JitWarmup.run(
                            () -> {
                                if (o.batch() > 1) {
                                    batched(model, prompt, greedy, o.batch());
                                } else {
                                    generator.generate(prompt, greedy, t -> {}, System.nanoTime());
                                }
                            },
                            2,
                            o.warmupSeconds());
            out.printf(
                    Locale.ROOT,
                    "decode benchmark: preset %s (%.1fM parameters), batch %d, KV cache, greedy,"
                            + " prompt %d tokens, %d new tokens, %d timed generations per round"
                            + " after a warm-up (belamy: %s), %d rounds per side, %d threads each"
                            + " (belamy: DJL engine threads %s; PyTorch: %s)%n",
                    o.preset(),
                    config.parameterCount() / 1e6,
                    o.batch(),
                    prompt.length,
                    o.newTokens(),
                    o.repeats(),
                    warmup.describe(),
                    o.rounds(),
                    o.threads(),
                    System.getProperty("ai.djl.pytorch.num_threads", "default"),
                    TorchReference.PYTHON + " python3-torch");
            double[] ours = new double[o.rounds()];
            double[] theirs = new double[o.rounds()];
            try (TorchReference.Session torch = new TorchReference.Session("decode-paired", dir)) {
                int[] torchTokens = new int[torch.first().get("tokens").size()];
                for (int i = 0; i < torchTokens.length; i++) {
                    torchTokens[i] = torch.first().get("tokens").get(i).asInt();
                }
                out.printf(
                        "same tokens as PyTorch: %s%n",
                        Arrays.equals(first.tokenIds(), torchTokens)
                                ? "yes"
                                : "NO (belamy "
                                        + Arrays.toString(first.tokenIds())
                                        + ", PyTorch "
                                        + Arrays.toString(torchTokens)
                                        + ")");
                out.printf(
                        Locale.ROOT, "%-7s %16s %16s%n", "round", "belamy tok/s", "PyTorch tok/s");
                for (int r = 0; r < o.rounds(); r++) {
                    // one generation of each side in turn: load from elsewhere hits both
                    double[] seconds = new double[o.repeats()];
                    double[] ts = new double[o.repeats()];
                    for (int i = 0; i < o.repeats(); i++) {
                        long t0 = System.nanoTime();
                        if (o.batch() > 1) {
                            batched(model, prompt, greedy, o.batch());
                        } else {
                            generator.generate(prompt, greedy, t -> {}, t0);
                        }
                        seconds[i] = (System.nanoTime() - t0) / 1e9;
                        ts[i] = torch.request("go").get("seconds").asDouble();
                    }
                    ours[r] = (double) o.batch() * o.newTokens() / KvCacheBenchmark.median(seconds);
                    theirs[r] = (double) o.batch() * o.newTokens() / KvCacheBenchmark.median(ts);
                    out.printf(Locale.ROOT, "%-7d %16.1f %16.1f%n", r + 1, ours[r], theirs[r]);
                }
            }
            Result result =
                    new Result(KvCacheBenchmark.median(ours), KvCacheBenchmark.median(theirs));
            out.printf(
                    Locale.ROOT,
                    "%-7s %16.1f %16.1f%nbelamy / PyTorch (median tokens/s): %.2fx%n",
                    "median",
                    result.belamyTokensPerSecond(),
                    result.torchTokensPerSecond(),
                    result.ratio());
            return result;
        } finally {
            io.belamy.core.io.FileTrees.delete(dir);
        }
    }

    /** {@code batch} copies of the prompt through continuous batching; the first one's result. */
    private static Generation batched(
            GptModel model, int[] prompt, SamplingParams params, int batch) {
        Generation[] first = new Generation[1];
        try (BatchGenerator generator = new BatchGenerator(model, batch)) {
            java.util.List<BatchGenerator.Request> all = new java.util.ArrayList<>();
            for (int i = 0; i < batch; i++) {
                boolean keep = i == 0;
                all.add(
                        new BatchGenerator.Request(
                                prompt,
                                params,
                                0,
                                System.nanoTime(),
                                new BatchGenerator.Listener() {
                                    @Override
                                    public void onText(String piece) {}

                                    @Override
                                    public void onDone(Generation g) {
                                        if (keep) {
                                            first[0] = g;
                                        }
                                    }

                                    @Override
                                    public void onError(RuntimeException e) {
                                        throw e;
                                    }
                                }));
            }
            generator.start(all);
            while (generator.running() > 0) {
                generator.step();
            }
        }
        return first[0];
    }
}

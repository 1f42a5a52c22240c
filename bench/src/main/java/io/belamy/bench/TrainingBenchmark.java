package io.belamy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.belamy.core.Djl;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.Tokenizers;
import io.belamy.core.train.Batches;
import io.belamy.core.train.PackedSequence;
import io.belamy.core.train.TokenBatch;
import io.belamy.core.train.Trainer;
import io.belamy.core.train.TrainingConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training speed of a GPT preset, belamy vs the same model, weights, batches and optimizer in
 * PyTorch (Debian's python3-torch, {@code gpt_reference.py bench}), rounds interleaved: belamy,
 * PyTorch, belamy, PyTorch ... Each round times {@code steps} steps after {@code warmup} untimed
 * ones.
 */
public final class TrainingBenchmark {

    /**
     * @param threads intra-op threads for both sides
     */
    public record Options(
            String preset,
            int batchSize,
            int sequenceLength,
            int warmup,
            int steps,
            int rounds,
            int threads) {
        public Options {
            if (batchSize < 1
                    || sequenceLength < 2
                    || warmup < 0
                    || steps < 1
                    || rounds < 1
                    || threads < 1) {
                throw new IllegalArgumentException(
                        "batch, length, steps, rounds and threads must be positive");
            }
        }
    }

    /** Median tokens/s of each side. */
    public record Result(double belamyTokensPerSecond, double torchTokensPerSecond) {
        public double ratio() {
            return belamyTokensPerSecond / torchTokensPerSecond;
        }
    }

    private TrainingBenchmark() {}

    public static Result run(Options o, PrintStream out) throws Exception {
        GptConfig config =
                GptConfig.preset(o.preset()).withVocabulary(GptConfig.BYTE_VOCAB_SIZE, -1, -1);
        TrainingConfig training =
                TrainingConfig.defaults().withBatch(o.batchSize(), o.sequenceLength());
        int total = o.warmup() + o.steps();
        List<TokenBatch> batches =
                randomBatches(total, o.batchSize(), o.sequenceLength(), config.vocabSize());
        Djl.setThreads(o.threads());
        Path dir = Files.createTempDirectory("belamy-bench-training");
        double tokensPerStep = (double) o.batchSize() * o.sequenceLength();
        double[] ours = new double[o.rounds()];
        double[] theirs = new double[o.rounds()];
        try (GptModel model = GptModel.create(config, Tokenizers.bytes(), 1)) {
            TorchReference.prepare(dir, model, training, batches, o.threads());
            out.printf(
                    Locale.ROOT,
                    "training benchmark: preset %s (%.1fM parameters), batch %d x %d tokens, %d timed steps per round after %d"
                            + " warm-up, %d rounds per side, %d threads each (belamy: DJL %s; PyTorch: %s)%n",
                    o.preset(),
                    config.parameterCount() / 1e6,
                    o.batchSize(),
                    o.sequenceLength(),
                    o.steps(),
                    o.warmup(),
                    o.rounds(),
                    o.threads(),
                    ai.djl.engine.Engine.getEngine("PyTorch").getVersion(),
                    TorchReference.PYTHON + " python3-torch");
            out.printf(
                    Locale.ROOT,
                    "allocator (both sides): MALLOC_ARENA_MAX=%s GLIBC_TUNABLES=%s%n",
                    System.getenv().getOrDefault("MALLOC_ARENA_MAX", "(unset)"),
                    System.getenv().getOrDefault("GLIBC_TUNABLES", "(unset)"));
            out.printf(
                    Locale.ROOT,
                    "%-7s %18s %18s%n",
                    "round",
                    "belamy tokens/s",
                    "PyTorch tokens/s");
            try (Trainer trainer = new Trainer(model, training)) {
                for (int r = 0; r < o.rounds(); r++) {
                    double[] seconds = new double[o.steps()];
                    for (int i = 0; i < total; i++) {
                        long t0 = System.nanoTime();
                        trainer.step(batches.get(i));
                        if (i >= o.warmup()) {
                            seconds[i - o.warmup()] = (System.nanoTime() - t0) / 1e9;
                        }
                    }
                    ours[r] = tokensPerStep / median(seconds);
                    JsonNode torch = TorchReference.run("bench", dir, Duration.ofMinutes(20));
                    JsonNode steps = torch.get("stepSeconds");
                    double[] ts = new double[o.steps()];
                    for (int i = 0; i < o.steps(); i++) {
                        ts[i] = steps.get(o.warmup() + i).asDouble();
                    }
                    theirs[r] = tokensPerStep / median(ts);
                    out.printf(Locale.ROOT, "%-7d %18.0f %18.0f%n", r + 1, ours[r], theirs[r]);
                }
            }
        }
        Result result = new Result(median(ours), median(theirs));
        out.printf(
                Locale.ROOT,
                "%-7s %18.0f %18.0f%nbelamy / PyTorch (median tokens/s): %.2fx%n",
                "median",
                result.belamyTokensPerSecond(),
                result.torchTokensPerSecond(),
                result.ratio());
        return result;
    }

    /** Causal batches of random tokens (speed does not depend on the text). */
    static List<TokenBatch> randomBatches(int count, int batch, int length, int vocab) {
        SplittableRandom r = new SplittableRandom(5);
        List<TokenBatch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<PackedSequence> windows = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                windows.add(
                        new PackedSequence(
                                r.longs(length + 1, 0, vocab).toArray(), length + 1, length));
            }
            out.add(Batches.causal(windows));
        }
        return out;
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}

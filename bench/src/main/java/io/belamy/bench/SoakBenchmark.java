package io.belamy.bench;

import io.belamy.core.generation.BatchGenerator;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.gpt.GptConfig;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.tokenizer.Tokenizers;
import io.belamy.core.train.TokenBatch;
import io.belamy.core.train.Trainer;
import io.belamy.core.train.TrainingConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory over time: many generations (through {@link BatchGenerator}, with the model reloaded every
 * so often as a hot-swap does) and many training steps on the tiny preset, sampling the process's
 * resident memory and the JVM heap; prints the least-squares slope per 1,000 operations of each
 * after a warm-up share. Flat native memory means no array or model outlives its use.
 */
public final class SoakBenchmark {

    /**
     * @param generations generations to run (0 to skip)
     * @param trainingSteps training steps to run (0 to skip)
     * @param tokens new tokens per generation
     * @param concurrency generations running together
     * @param reloadEvery load a fresh copy of the model (and close the old) every this many
     *     generations, as a hot-swap does; 0 never
     */
    public record Options(
            int generations, int trainingSteps, int tokens, int concurrency, int reloadEvery) {}

    /** Slopes in MiB per 1,000 operations, after the warm-up share. */
    public record Slopes(double rssPerThousand, double heapPerThousand) {}

    private static final int SAMPLES = 40;
    private static final double WARM_UP_SHARE = 0.2;

    private SoakBenchmark() {}

    public static void run(Options o, PrintStream out) throws Exception {
        GptConfig config =
                GptConfig.preset("tiny").withVocabulary(GptConfig.BYTE_VOCAB_SIZE, -1, -1);
        out.printf(
                Locale.ROOT,
                "soak: tiny preset (%.2fM parameters); %d generations of %d tokens, %d at a time,"
                        + " model reloaded every %d; %d training steps; %d samples each, slopes"
                        + " after the first %.0f%%%n",
                config.parameterCount() / 1e6,
                o.generations(),
                o.tokens(),
                o.concurrency(),
                o.reloadEvery(),
                o.trainingSteps(),
                SAMPLES,
                WARM_UP_SHARE * 100);
        if (o.generations() > 0) {
            Slopes s = generations(config, o, out);
            out.printf(
                    Locale.ROOT,
                    "generation: RSS %+.3f MiB per 1000 generations, heap %+.3f MiB per 1000%n",
                    s.rssPerThousand(),
                    s.heapPerThousand());
        }
        if (o.trainingSteps() > 0) {
            Slopes s = training(config, o, out);
            out.printf(
                    Locale.ROOT,
                    "training: RSS %+.3f MiB per 1000 steps, heap %+.3f MiB per 1000%n",
                    s.rssPerThousand(),
                    s.heapPerThousand());
        }
    }

    private static Slopes generations(GptConfig config, Options o, PrintStream out)
            throws IOException {
        Path dir = Files.createTempDirectory("belamy-soak-");
        try (GptModel created = GptModel.create(config, Tokenizers.bytes(), 1)) {
            created.save(dir);
        }
        Sampler sampler = new Sampler(o.generations(), out, "generations");
        int[] prompt = Tokenizers.bytes().encode("It is a truth universally acknowledged");
        int[] finished = {0};
        int started = 0;
        long nextReload = o.reloadEvery() > 0 ? o.reloadEvery() : Long.MAX_VALUE;
        GptModel model = GptModel.load(dir);
        BatchGenerator batch = new BatchGenerator(model, o.concurrency());
        try {
            while (finished[0] < o.generations()) {
                if (started >= nextReload && batch.running() == 0) {
                    // a hot-swap: the new version loaded, the old one closed
                    batch.close();
                    model.close();
                    model = GptModel.load(dir);
                    batch = new BatchGenerator(model, o.concurrency());
                    nextReload += o.reloadEvery();
                }
                long canStart =
                        Math.min(
                                Math.min(batch.room(), o.generations() - started),
                                nextReload - started);
                List<BatchGenerator.Request> joining = new ArrayList<>();
                for (int i = 0; i < canStart; i++) {
                    SamplingParams p =
                            SamplingParams.builder()
                                    .maxTokens(o.tokens())
                                    .seed((long) started + i)
                                    .build();
                    joining.add(
                            new BatchGenerator.Request(
                                    prompt,
                                    p,
                                    p.seed(),
                                    System.nanoTime(),
                                    new BatchGenerator.Listener() {
                                        @Override
                                        public void onText(String piece) {}

                                        @Override
                                        public void onDone(Generation g) {
                                            finished[0]++;
                                            sampler.maybeSample(finished[0]);
                                        }

                                        @Override
                                        public void onError(RuntimeException e) {
                                            throw e;
                                        }
                                    }));
                }
                started += joining.size();
                batch.start(joining);
                batch.step();
            }
        } finally {
            batch.close();
            model.close();
            io.belamy.core.io.FileTrees.delete(dir);
        }
        return sampler.slopes();
    }

    private static Slopes training(GptConfig config, Options o, PrintStream out) throws Exception {
        List<TokenBatch> batches = TrainingBenchmark.randomBatches(16, 8, 64, config.vocabSize());
        Sampler sampler = new Sampler(o.trainingSteps(), out, "training steps");
        try (GptModel model = GptModel.create(config, Tokenizers.bytes(), 1);
                Trainer trainer = new Trainer(model, TrainingConfig.defaults().withBatch(8, 64))) {
            for (int i = 0; i < o.trainingSteps(); i++) {
                trainer.step(batches.get(i % batches.size()));
                sampler.maybeSample(i + 1);
            }
        }
        return sampler.slopes();
    }

    /** Samples RSS and heap at evenly spaced operation counts. */
    private static final class Sampler {
        private final int total;
        private final PrintStream out;
        private final String what;
        private final List<double[]> points = new ArrayList<>(); // ops, rss MiB, heap MiB
        private int next;

        Sampler(int total, PrintStream out, String what) {
            this.total = total;
            this.out = out;
            this.what = what;
            this.next = Math.max(1, total / SAMPLES);
        }

        void maybeSample(int done) {
            if (done < next && done != total) {
                return;
            }
            next += Math.max(1, total / SAMPLES);
            System.gc();
            var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            double rss = rssMib();
            double used = heap.getUsed() / 1048576.0;
            points.add(new double[] {done, rss, used});
            if (points.size() % 10 == 0 || done == total) {
                out.printf(
                        Locale.ROOT,
                        "  %s %7d: RSS %8.1f MiB, heap %7.1f MiB%n",
                        what,
                        done,
                        rss,
                        used);
            }
        }

        Slopes slopes() {
            int from = (int) (points.size() * WARM_UP_SHARE);
            List<double[]> kept = points.subList(from, points.size());
            return new Slopes(slope(kept, 1) * 1000, slope(kept, 2) * 1000);
        }

        private static double slope(List<double[]> p, int column) {
            double n = p.size();
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            for (double[] q : p) {
                sx += q[0];
                sy += q[column];
                sxx += q[0] * q[0];
                sxy += q[0] * q[column];
            }
            double d = n * sxx - sx * sx;
            return d == 0 ? 0 : (n * sxy - sx * sy) / d;
        }

        private static double rssMib() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                    }
                }
            } catch (IOException e) {
                return Double.NaN;
            }
            return Double.NaN;
        }
    }
}

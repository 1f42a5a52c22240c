package io.belamy.app;

import io.belamy.bench.KvCacheBenchmark;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks that print figures and ratios against a baseline in the same run.",
        subcommands = {
            BenchCommand.KvCache.class,
            BenchCommand.Batching.class,
            BenchCommand.Decode.class,
            BenchCommand.Soak.class,
            BenchCommand.Ingest.class,
            BenchCommand.Pipeline.class,
            BenchCommand.Training.class
        })
final class BenchCommand implements Runnable {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "kv-cache",
            mixinStandardHelpOptions = true,
            description =
                    "Generation tokens/s at batch 1 with the KV cache vs full recompute, rounds"
                            + " interleaved, on a randomly initialized preset model.")
    static final class KvCache implements Callable<Integer> {

        @Option(
                names = "--preset",
                description = "GPT preset: tiny or small (default: ${DEFAULT-VALUE}).")
        String preset = "small";

        @Option(
                names = "--tokens",
                description = "New tokens per round (default: ${DEFAULT-VALUE}).")
        int tokens = 256;

        @Option(
                names = "--rounds",
                description = "Measured rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds = 3;

        @Override
        public Integer call() {
            KvCacheBenchmark.run(
                    new KvCacheBenchmark.Options(preset, tokens, rounds),
                    new PrintStream(System.out, true));
            return 0;
        }
    }

    @Command(
            name = "batching",
            mixinStandardHelpOptions = true,
            description =
                    "Aggregate generation tokens/s of N requests batched together (continuous"
                            + " batching) vs the same requests one after another, rounds"
                            + " interleaved, on a randomly initialized preset model.")
    static final class Batching implements Callable<Integer> {

        @Option(
                names = "--preset",
                description = "GPT preset: tiny or small (default: ${DEFAULT-VALUE}).")
        String preset = "small";

        @Option(
                names = "--concurrency",
                description = "Requests running together (default: ${DEFAULT-VALUE}).")
        int concurrency = 16;

        @Option(
                names = "--tokens",
                description = "New tokens per request (default: ${DEFAULT-VALUE}).")
        int tokens = 64;

        @Option(
                names = "--rounds",
                description = "Measured rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds = 3;

        @Override
        public Integer call() {
            io.belamy.bench.BatchingBenchmark.run(
                    new io.belamy.bench.BatchingBenchmark.Options(
                            preset, concurrency, tokens, rounds),
                    new PrintStream(System.out, true));
            return 0;
        }
    }

    @Command(
            name = "pipeline",
            mixinStandardHelpOptions = true,
            description =
                    "Time to first token and per output token through Kafka and the generation job"
                            + " (embedded broker and MiniCluster), beside the model's own times for"
                            + " the same load, at each concurrency.")
    static final class Pipeline implements Callable<Integer> {

        @Option(
                names = "--model",
                paramLabel = "DIR",
                description = "GPT-2 directory to serve (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path model = java.nio.file.Path.of("models", "gpt2-tiny");

        @Option(
                names = "--concurrency",
                split = ",",
                paramLabel = "N",
                description = "Requests in flight, one level each (default: 1,4,16).")
        List<Integer> concurrency = List.of(1, 4, 16);

        @Option(
                names = "--requests",
                description = "Requests per level (default: ${DEFAULT-VALUE}).")
        int requests = 64;

        @Option(
                names = "--tokens",
                description = "New tokens per request (default: ${DEFAULT-VALUE}).")
        int tokens = 32;

        @Option(
                names = "--warmup",
                paramLabel = "SECONDS",
                description =
                        "Most time for unmeasured rounds at every level, which repeat until the"
                                + " JIT compiles for under 5%% of a round (default:"
                                + " ${DEFAULT-VALUE}).")
        int warmupSeconds = 180;

        @Override
        public Integer call() throws Exception {
            java.nio.file.Path work = java.nio.file.Files.createTempDirectory("belamy-bench-");
            try {
                PipelineBenchmark.run(
                        new PipelineBenchmark.Options(
                                model, concurrency, requests, tokens, warmupSeconds, work),
                        new PrintStream(System.out, true));
            } finally {
                io.belamy.core.io.FileTrees.delete(work);
            }
            return 0;
        }
    }

    @Command(
            name = "decode",
            mixinStandardHelpOptions = true,
            description =
                    "Generation tokens/s at batch 1 with a KV cache, belamy vs an eager PyTorch loop"
                            + " with a KV cache (Debian python3-torch at /usr/bin/python3) on the"
                            + " same weights, prompt and threads, greedy, rounds interleaved.")
    static final class Decode implements Callable<Integer> {

        @Option(
                names = "--preset",
                description = "GPT preset: tiny or small (default: ${DEFAULT-VALUE}).")
        String preset = "small";

        @Option(
                names = "--tokens",
                description = "New tokens per generation (default: ${DEFAULT-VALUE}).")
        int tokens = 128;

        @Option(
                names = "--repeats",
                description = "Timed generations per round and side (default: ${DEFAULT-VALUE}).")
        int repeats = 5;

        @Option(names = "--rounds", description = "Rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds = 3;

        @Option(
                names = "--threads",
                description = "Intra-op threads of both engines (default: ${DEFAULT-VALUE}).")
        int threads = 1;

        @Option(
                names = "--batch",
                description =
                        "Copies of the prompt decoded together (belamy: continuous batching)"
                                + " (default: ${DEFAULT-VALUE}).")
        int batch = 1;

        @Option(
                names = "--warmup",
                paramLabel = "SECONDS",
                description =
                        "Most time belamy generates before timing, which goes on until the JIT"
                                + " compiles for under 5%% of the time (default:"
                                + " ${DEFAULT-VALUE}).")
        int warmupSeconds = 120;

        @Override
        public Integer call() throws Exception {
            // read when DJL's engine starts, which is below
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            io.belamy.bench.DecodeBenchmark.run(
                    new io.belamy.bench.DecodeBenchmark.Options(
                            preset, tokens, repeats, rounds, threads, batch, warmupSeconds),
                    new PrintStream(System.out, true));
            return 0;
        }
    }

    @Command(
            name = "soak",
            mixinStandardHelpOptions = true,
            description =
                    "Memory over time on the tiny preset: many generations (the model reloaded as a"
                            + " hot-swap does) and training steps, sampling resident memory and"
                            + " heap; prints the slope per 1,000 operations.")
    static final class Soak implements Callable<Integer> {

        @Option(
                names = "--generations",
                description = "Generations, 0 to skip (default: ${DEFAULT-VALUE}).")
        int generations = 10_000;

        @Option(
                names = "--training-steps",
                description = "Training steps, 0 to skip (default: ${DEFAULT-VALUE}).")
        int trainingSteps = 10_000;

        @Option(
                names = "--tokens",
                description = "New tokens per generation (default: ${DEFAULT-VALUE}).")
        int tokens = 16;

        @Option(
                names = "--concurrency",
                description = "Generations running together (default: ${DEFAULT-VALUE}).")
        int concurrency = 8;

        @Option(
                names = "--reload-every",
                description =
                        "Reload the model every N generations, 0 never (default: ${DEFAULT-VALUE}).")
        int reloadEvery = 1000;

        @Override
        public Integer call() throws Exception {
            io.belamy.bench.SoakBenchmark.run(
                    new io.belamy.bench.SoakBenchmark.Options(
                            generations, trainingSteps, tokens, concurrency, reloadEvery),
                    new PrintStream(System.out, true));
            return 0;
        }
    }

    @Command(
            name = "ingest",
            mixinStandardHelpOptions = true,
            description =
                    "Ingest throughput on an embedded broker: text MB/s and MIDI files/s, beside"
                            + " Kafka's kafka-producer-perf-test sending as many records of the"
                            + " same size, rounds interleaved.")
    static final class Ingest implements Callable<Integer> {

        @Option(
                names = "--text",
                paramLabel = "DIR",
                description = "Text to ingest (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path text = java.nio.file.Path.of("data", "text");

        @Option(
                names = "--midi",
                paramLabel = "DIR",
                description = "MIDI to ingest (default: ${DEFAULT-VALUE}).")
        java.nio.file.Path midi = java.nio.file.Path.of("data", "midi");

        @Option(names = "--rounds", description = "Rounds (default: ${DEFAULT-VALUE}).")
        int rounds = 3;

        @Override
        public Integer call() throws Exception {
            java.nio.file.Path work = java.nio.file.Files.createTempDirectory("belamy-ingest-");
            try {
                IngestBenchmark.run(
                        new IngestBenchmark.Options(text, midi, rounds, work),
                        new PrintStream(System.out, true));
            } finally {
                io.belamy.core.io.FileTrees.delete(work);
            }
            return 0;
        }
    }

    @Command(
            name = "training",
            mixinStandardHelpOptions = true,
            description =
                    "Training tokens/s of a GPT preset, belamy vs the same model, weights, batches and"
                            + " AdamW in PyTorch (Debian python3-torch at /usr/bin/python3), rounds"
                            + " interleaved.")
    static final class Training implements Callable<Integer> {

        @Option(
                names = "--preset",
                description = "GPT preset: tiny or small (default: ${DEFAULT-VALUE}).")
        String preset = "small";

        @Option(
                names = "--batch-size",
                description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batchSize = 16;

        @Option(
                names = "--sequence-length",
                description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
        int sequenceLength = 128;

        @Option(
                names = "--warmup",
                description = "Untimed steps per round (default: ${DEFAULT-VALUE}).")
        int warmup = 2;

        @Option(
                names = "--steps",
                description = "Timed steps per round (default: ${DEFAULT-VALUE}).")
        int steps = 8;

        @Option(names = "--rounds", description = "Rounds per side (default: ${DEFAULT-VALUE}).")
        int rounds = 3;

        @Option(
                names = "--threads",
                description = "Intra-op threads for both sides (default: ${DEFAULT-VALUE}).")
        int threads = 2;

        @Override
        public Integer call() throws Exception {
            io.belamy.bench.TrainingBenchmark.run(
                    new io.belamy.bench.TrainingBenchmark.Options(
                            preset, batchSize, sequenceLength, warmup, steps, rounds, threads),
                    new PrintStream(System.out, true));
            return 0;
        }
    }
}

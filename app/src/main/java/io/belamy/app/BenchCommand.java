package io.belamy.app;

import io.belamy.bench.KvCacheBenchmark;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description =
                "Benchmarks that print figures and ratios against a baseline in the same run.",
        subcommands = {BenchCommand.KvCache.class})
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
}

package io.belamy.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Unmeasured work repeated until the JIT compiler has settled: a benchmark measured while C2 still
 * compiles its hot paths measures the interpreter and the compiler's competition for the cores.
 * Here (2 cores) the decode path of the tiny preset ran at 1,400 tokens/s for its first 20 s and at
 * 2,100 after its last compilation; the pipeline benchmark's JVM (broker, Flink, client and engine)
 * compiles for about 40 s of CPU time.
 *
 * <p>Work goes on in windows of at least {@code window} seconds (whole rounds) until the JIT
 * compiled for less than 5% of a window's time, after at least three windows, or until {@code
 * limit} seconds have passed.
 */
public final class JitWarmup {

    /** Below this share of a window's time spent compiling, the JIT counts as settled. */
    static final double SETTLED = 0.05;

    /** One round of warm-up work. */
    @FunctionalInterface
    public interface Round {
        void run() throws Exception;
    }

    /**
     * How the warm-up went.
     *
     * @param rounds rounds run
     * @param seconds wall time
     * @param jitSeconds JIT compilation time since the JVM started, summed over compiler threads
     * @param lastShare compilation time over wall time in the last window
     */
    public record Result(int rounds, double seconds, double jitSeconds, double lastShare) {

        /** Whether the JIT settled before the time limit. */
        public boolean settled() {
            return lastShare < SETTLED;
        }

        /** For a benchmark's report, e.g. "24 rounds in 47 s; JIT 37.6 s in all, 4% at the end". */
        public String describe() {
            return String.format(
                    Locale.ROOT,
                    "%d rounds in %.0f s; JIT compilation %.1f s in all, %.0f%% of the last"
                            + " window%s",
                    rounds,
                    seconds,
                    jitSeconds,
                    100 * lastShare,
                    settled() ? "" : " (time limit reached: not yet steady)");
        }
    }

    private JitWarmup() {}

    /**
     * Runs {@code round} until the JIT settles or {@code limitSeconds} pass (at least one round).
     *
     * @throws IllegalArgumentException when a time is negative
     */
    public static Result run(Round round, double windowSeconds, double limitSeconds)
            throws Exception {
        if (windowSeconds < 0 || limitSeconds < 0) {
            throw new IllegalArgumentException(
                    "warm-up window "
                            + windowSeconds
                            + " s and limit "
                            + limitSeconds
                            + " s must not be negative");
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long start = System.nanoTime();
        long end = start + (long) (limitSeconds * 1e9);
        int rounds = 0;
        int windows = 0;
        double share;
        do {
            long jitStart = jit.getTotalCompilationTime();
            long windowStart = System.nanoTime();
            long windowEnd = windowStart + (long) (windowSeconds * 1e9);
            do {
                round.run();
                rounds++;
            } while (System.nanoTime() < windowEnd);
            windows++;
            share =
                    (jit.getTotalCompilationTime() - jitStart)
                            / ((System.nanoTime() - windowStart) / 1e6);
        } while ((windows < 3 || share >= SETTLED) && System.nanoTime() < end);
        return new Result(
                rounds,
                (System.nanoTime() - start) / 1e9,
                jit.getTotalCompilationTime() / 1e3,
                share);
    }

    /** JIT compilation time so far, in seconds. */
    public static double jitSeconds() {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3;
    }
}

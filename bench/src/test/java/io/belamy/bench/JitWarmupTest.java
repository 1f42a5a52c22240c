package io.belamy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JitWarmupTest {

    @Test
    void aZeroLimitRunsOneWindowAndSaysWhetherTheJitSettled() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        JitWarmup.Result r = JitWarmup.run(calls::incrementAndGet, 0, 0);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(r.rounds()).isEqualTo(1);
        assertThat(r.lastShare()).isNotNegative();
        assertThat(r.describe()).startsWith("1 rounds in ");
        assertThat(r.describe().contains("not yet steady")).isEqualTo(!r.settled());
    }

    @Test
    void roundsFillEachWindowAndAtLeastThreeWindowsRun() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        JitWarmup.Result r =
                JitWarmup.run(
                        () -> {
                            calls.incrementAndGet();
                            Thread.sleep(5);
                        },
                        0.05,
                        30);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("three windows of 50 ms").isGreaterThanOrEqualTo(0.15);
        assertThat(r.rounds()).isEqualTo(calls.get()).isGreaterThanOrEqualTo(3);
        assertThat(r.settled()).as("a sleeping round leaves nothing to compile").isTrue();
    }

    @Test
    void negativeTimesAreRejectedNamingThem() {
        assertThatThrownBy(() -> JitWarmup.run(() -> {}, -1, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window -1.0 s");
    }
}

package io.belamy.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.nn.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PackingTest {

    @Test
    void causalWindowsOverlapByOneSoEveryTokenIsATargetOnce() {
        CausalPacker p = new CausalPacker(4, 0);
        assertThat(p.add(new int[] {5, 6, 7}, false)).isEmpty();
        assertThat(p.pending()).containsExactly(0, 5, 6, 7);
        List<PackedSequence> w = p.add(new int[] {8, 9}, true);
        assertThat(w)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.tokens()).containsExactly(0, 5, 6, 7, 8);
                            assertThat(s.trainTokens()).isEqualTo(4);
                        });
        assertThat(p.pending()).containsExactly(8, 9, 0);
        assertThat(p.pendingTokens()).isEqualTo(2);

        // targets over many random documents: each stream token exactly once, in order
        CausalPacker q = new CausalPacker(7, 1);
        SplittableRandom r = new SplittableRandom(5);
        List<Long> stream = new ArrayList<>();
        List<Long> targets = new ArrayList<>();
        for (int d = 0; d < 50; d++) {
            int[] doc = r.ints(r.nextInt(0, 20), 2, 100).toArray();
            for (int t : doc) {
                stream.add((long) t);
            }
            stream.add(1L);
            for (PackedSequence s : q.add(doc, true)) {
                for (int i = 1; i < s.tokens().length; i++) {
                    targets.add(s.tokens()[i]);
                }
            }
        }
        assertThat(targets.size() + q.pendingTokens()).isEqualTo(stream.size());
        assertThat(targets).isEqualTo(stream.subList(0, targets.size()));
    }

    @Test
    void packerStateRestores() {
        CausalPacker a = new CausalPacker(5, 0);
        a.add(new int[] {1, 2, 3}, false);
        CausalPacker b = new CausalPacker(5, 0);
        b.restore(a.pending());
        assertThat(b.add(new int[] {4, 5, 6, 7}, false))
                .isEqualTo(a.add(new int[] {4, 5, 6, 7}, false));
    }

    @Test
    void maskedSequencesAreWrappedAndPadded() {
        MaskedPacker p = new MaskedPacker(6, 2, 3, 0); // CLS 2, SEP 3, PAD 0
        List<PackedSequence> s =
                p.add(new int[] {2, 10, 11, 12, 13, 14, 15, 3}); // tokenizer output with specials
        assertThat(s).hasSize(2);
        assertThat(s.get(0).tokens()).containsExactly(2, 10, 11, 12, 13, 3);
        assertThat(s.get(0).realLength()).isEqualTo(6);
        assertThat(s.get(1).tokens()).containsExactly(2, 14, 15, 3, 0, 0);
        assertThat(s.get(1).realLength()).isEqualTo(4);
        assertThat(s.get(1).trainTokens()).isEqualTo(2);
        assertThatThrownBy(() -> new MaskedPacker(2, 2, 3, 0)).hasMessageContaining(">= 3");
    }

    @Test
    void maskingSelectsAboutFifteenPercentSplit80_10_10AndNeverSpecials() {
        int t = 64;
        List<PackedSequence> seqs = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            long[] ids = new long[t];
            ids[0] = 2;
            for (int p = 1; p < 50; p++) {
                ids[p] = r.nextInt(10, 1000);
            }
            ids[50] = 3;
            seqs.add(new PackedSequence(ids, 51, 49)); // 13 positions of padding (id 0)
        }
        Set<Integer> special = Set.of(0, 2, 3, 4);
        TokenBatch b = Batches.masked(seqs, 0.15, 4, 1000, special, 42);
        int selected = 0;
        int masked = 0;
        int kept = 0;
        for (int i = 0; i < b.inputs().length; i++) {
            int p = i % t;
            if (p == 0 || p >= 50) {
                assertThat(b.targets()[i])
                        .as("special or padding never selected")
                        .isEqualTo(Losses.IGNORE);
                assertThat(b.attentionMask()[i]).isEqualTo(p <= 50 ? 1 : 0);
            }
            if (b.targets()[i] != Losses.IGNORE) {
                selected++;
                if (b.inputs()[i] == 4) {
                    masked++;
                } else if (b.inputs()[i] == b.targets()[i]) {
                    kept++;
                }
            }
        }
        double rate = selected / (200.0 * 49);
        assertThat(rate).isBetween(0.13, 0.17);
        assertThat(masked / (double) selected).isBetween(0.76, 0.84);
        assertThat(kept / (double) selected).isBetween(0.07, 0.13);
        assertThat(b.tokens()).isEqualTo(200L * 49);
        assertThat(Batches.masked(seqs, 0.15, 4, 1000, special, 42))
                .as("same seed, same batch")
                .isEqualTo(b);
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        Schedule cosine = new Schedule(Schedule.Shape.COSINE, 1e-3, 1e-4, 100, 1100);
        assertThat(cosine.at(0)).isEqualTo(1e-5);
        assertThat(cosine.at(99)).isEqualTo(1e-3);
        assertThat(cosine.at(600)).isCloseTo(5.5e-4, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(cosine.at(5000)).isEqualTo(1e-4);
        Schedule linear = new Schedule(Schedule.Shape.LINEAR, 1e-3, 0, 0, 1000);
        assertThat(linear.at(500)).isCloseTo(5e-4, org.assertj.core.api.Assertions.within(1e-12));
        assertThatThrownBy(() -> new Schedule(Schedule.Shape.COSINE, -1, 0, 0, 0))
                .hasMessageContaining("-1.0");
        assertThatThrownBy(() -> Schedule.Shape.parse("step")).hasMessageContaining("\"step\"");
    }
}

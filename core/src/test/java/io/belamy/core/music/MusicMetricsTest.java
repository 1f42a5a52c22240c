package io.belamy.core.music;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MusicMetricsTest {

    static final RollSpec SPEC =
            new RollSpec(2, 16, 24, 84, List.of(RollSpec.DRUMS, RollSpec.BASS, RollSpec.PIANO));

    @Test
    void metricsOfAHandMadeRoll() {
        PianoRoll roll = new PianoRoll(SPEC);
        // bass, bar 1 only: C2 for 4 steps (qualified), E2 for 1 step (not)
        PianoRollsTest.on(roll, 1, 0, 4, 36);
        PianoRollsTest.on(roll, 1, 4, 5, 40);
        // piano: a C major triad for 8 steps in bar 1 (qualified), for 2 steps in bar 2 (not)
        for (int pitch : new int[] {60, 64, 67}) {
            PianoRollsTest.on(roll, 2, 0, 8, pitch);
            PianoRollsTest.on(roll, 2, 16, 18, pitch);
        }
        // drums in bar 1: hits at steps 0, 3, 4, 8; 3 is off the eighth grid
        for (int step : new int[] {0, 3, 4, 8}) {
            PianoRollsTest.on(roll, 0, step, step + 1, 36);
        }

        Map<String, Double> m = MusicMetrics.of(SPEC, List.of(roll));

        assertThat(m)
                .contains(
                        entry("EB.drums", 0.5),
                        entry("EB.bass", 0.5),
                        entry("EB.piano", 0.0),
                        entry("UPC.bass", 2.0),
                        entry("UPC.piano", 3.0),
                        entry("QN.bass", 0.5),
                        entry("QN.piano", 0.5),
                        entry("DP.drums", 0.75),
                        entry("pitchRange.bass", 4.0),
                        entry("pitchRange.piano", 7.0));
        assertThat(m.get("density.piano")).isEqualTo((3 * 8 + 3 * 2) / 32.0);
        assertThat(m).doesNotContainKeys("UPC.drums", "QN.drums", "TD.drums-bass");
    }

    @Test
    void tonalDistanceIsZeroForTheSamePitchClassAndLargestForATritone() {
        PianoRoll same = new PianoRoll(SPEC);
        PianoRollsTest.on(same, 1, 0, 4, 36); // C2
        PianoRollsTest.on(same, 2, 0, 4, 60); // C4
        PianoRoll tritone = new PianoRoll(SPEC);
        PianoRollsTest.on(tritone, 1, 0, 4, 36); // C
        PianoRollsTest.on(tritone, 2, 0, 4, 66); // F#

        assertThat(MusicMetrics.of(SPEC, List.of(same)).get("TD.bass-piano"))
                .isCloseTo(0.0, offset(1e-12));
        // centroids (0, 1, 0, 1, 0, 0.5) and (0, -1, 0, -1, 0, 0.5): distance sqrt(8)
        assertThat(MusicMetrics.of(SPEC, List.of(tritone)).get("TD.bass-piano"))
                .isCloseTo(Math.sqrt(8), offset(1e-12));
    }

    @Test
    void metricsPoolOverRolls() {
        PianoRoll empty = new PianoRoll(SPEC);
        PianoRoll full = new PianoRoll(SPEC);
        PianoRollsTest.on(full, 1, 0, 32, 36);
        assertThat(MusicMetrics.of(SPEC, List.of(empty, full)).get("EB.bass")).isEqualTo(0.5);
    }
}

package io.belamy.core.music.gan;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MusicMetrics;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.RollSpec;
import io.belamy.core.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MuseGanTrainingTest {

    static final RollSpec SPEC = RollSpec.defaults();

    @TempDir Path dir;

    static List<PianoRoll> bundledPhrases() throws Exception {
        List<PianoRoll> out = new ArrayList<>();
        for (Path f : Fixtures.midiFiles()) {
            out.addAll(PianoRolls.phrases(MidiCodec.read(f), SPEC).rolls());
        }
        return out;
    }

    static List<PianoRoll> batch(List<PianoRoll> data, int size, SplittableRandom r) {
        List<PianoRoll> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            out.add(data.get(r.nextInt(data.size())));
        }
        return out;
    }

    @Test
    void trainingMovesTheGeneratedMusicTowardTheData() throws Exception {
        List<PianoRoll> data = bundledPhrases();
        assertThat(data).hasSizeGreaterThan(80);
        Map<String, Double> real = MusicMetrics.of(SPEC, data);
        GanTrainer.Settings settings = GanTrainer.Settings.defaults().withBatchSize(8);
        try (MuseGan model = MuseGan.create(GanConfig.small(), 2);
                GanTrainer trainer = new GanTrainer(model, settings)) {
            Map<String, Double> untrained = MusicMetrics.of(SPEC, model.sample(64, 7));
            SplittableRandom r = new SplittableRandom(4);
            for (int i = 0; i < 60; i++) {
                GanTrainer.StepResult s = trainer.step(batch(data, settings.rollsPerStep(), r));
                assertThat(s.criticLoss()).isFinite();
                assertThat(s.generatorLoss()).isFinite();
                assertThat(s.gradientPenalty()).isFinite().isNotNegative();
            }
            assertThat(trainer.steps()).isEqualTo(60);
            Map<String, Double> trained = MusicMetrics.of(SPEC, model.sample(64, 7));

            for (String metric : List.of("EB", "UPC", "QN", "density", "pitchRange")) {
                double before = distance(metric, untrained, real);
                double after = distance(metric, trained, real);
                assertThat(after)
                        .as(
                                "%s: distance to the data, trained %.3f vs untrained %.3f",
                                metric, after, before)
                        .isLessThan(before);
            }
        }
    }

    /**
     * Sum over tracks of |metric - the data's metric|; a track missing on one side counts fully.
     */
    static double distance(String metric, Map<String, Double> generated, Map<String, Double> real) {
        double d = 0;
        for (Map.Entry<String, Double> e : real.entrySet()) {
            if (e.getKey().startsWith(metric + ".")) {
                Double g = generated.get(e.getKey());
                d += g == null ? Math.abs(e.getValue()) : Math.abs(g - e.getValue());
            }
        }
        return d;
    }

    @Test
    void aRestoredTrainerContinuesExactlyAndASavedModelLoads() throws Exception {
        List<PianoRoll> data = bundledPhrases();
        GanTrainer.Settings settings =
                GanTrainer.Settings.defaults().withBatchSize(2).withCriticSteps(2);
        byte[] snapshot;
        float[] expected;
        try (MuseGan model = MuseGan.create(GanConfig.small(), 5);
                GanTrainer trainer = new GanTrainer(model, settings)) {
            SplittableRandom r = new SplittableRandom(1);
            for (int i = 0; i < 2; i++) {
                trainer.step(batch(data, settings.rollsPerStep(), r));
            }
            snapshot = trainer.snapshot();
            SplittableRandom later = new SplittableRandom(8);
            trainer.step(batch(data, settings.rollsPerStep(), later));
            expected = model.weights().get("generator.bar.fc2.weight").toFloatArray();
            model.save(dir.resolve("saved"));
        }
        try (MuseGan model = MuseGan.create(GanConfig.small(), 99);
                GanTrainer trainer = new GanTrainer(model, settings)) {
            trainer.restore(snapshot);
            assertThat(trainer.steps()).isEqualTo(2);
            trainer.step(batch(data, settings.rollsPerStep(), new SplittableRandom(8)));
            assertThat(model.weights().get("generator.bar.fc2.weight").toFloatArray())
                    .containsExactly(expected);
        }
        try (MuseGan loaded = MuseGan.load(dir.resolve("saved"))) {
            assertThat(loaded.weights().get("generator.bar.fc2.weight").toFloatArray())
                    .containsExactly(expected);
            assertThat(loaded.sample(2, 3)).isEqualTo(loaded.sample(2, 3)); // seeded
        }
    }
}

package io.belamy.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.RollSpec;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.testing.Harnesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class TrainMusicGanTest {

    static final Topics TOPICS = new Topics("t.");

    @TempDir Path work;

    static MusicSettings settings(Path store) {
        return new MusicSettings(
                "doom",
                "small",
                null,
                store.toString(),
                2, // rolls per step
                2, // critic steps
                10,
                1e-3,
                5,
                1.0, // one step per phrase
                64,
                3, // a version every 3 steps
                Duration.ofHours(1),
                4,
                1L << 20); // larger state goes to a file in the store
    }

    static Harnesses.Keyed<String, Phrase, OutRecord> open(Path store) throws Exception {
        return Harnesses.keyed(
                new TrainMusicGan(TOPICS, settings(store)),
                new TrainMusicJob.ModelKey("doom"),
                Types.STRING);
    }

    static List<Phrase> phrases() throws Exception {
        List<PianoRoll> rolls =
                PianoRolls.phrases(
                                MidiCodec.read(Path.of("..", "data", "midi", "D_E1M1.mid")),
                                RollSpec.defaults())
                        .rolls();
        List<Phrase> out = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            out.add(new Phrase("doom/e1m1", i, rolls.get(i).toBits()));
        }
        return out;
    }

    static List<ModelVersionRecord> versions(List<OutRecord> out) {
        return out.stream()
                .peek(r -> assertThat(r.topic()).isEqualTo(TOPICS.models().name()))
                .map(r -> ModelVersionRecord.CODEC.decode(r.value()))
                .toList();
    }

    @Test
    @Timeout(120)
    void aRestoreFromACheckpointContinuesTheRunExactly() throws Exception {
        List<Phrase> phrases = phrases();
        Path storeA = work.resolve("a");
        Path storeB = work.resolve("b");
        OperatorSubtaskState checkpoint;
        ModelVersionRecord v2;
        try (var a = open(storeA)) {
            for (Phrase p : phrases.subList(0, 4)) {
                a.push(p);
            }
            checkpoint = a.snapshot(1);
            for (Phrase p : phrases.subList(4, 6)) {
                a.push(p);
            }
            List<ModelVersionRecord> published = versions(a.output());
            assertThat(published).extracting(ModelVersionRecord::version).containsExactly(1L, 2L);
            assertThat(published.get(0).counters().get("steps")).isEqualTo(3);
            v2 = published.get(1);
            assertThat(v2.counters()).containsEntry("steps", 6L).containsEntry("phrasesSeen", 6L);
            assertThat(v2.metrics().get("criticLoss")).isFinite();
            assertThat(v2.metrics()).containsKeys("EB.drums", "data.EB.drums");
        }
        try (var b =
                Harnesses.keyedRestored(
                        new TrainMusicGan(TOPICS, settings(storeB)),
                        new TrainMusicJob.ModelKey("doom"),
                        Types.STRING,
                        checkpoint)) {
            for (Phrase p : phrases.subList(4, 6)) {
                b.push(p);
            }
            List<ModelVersionRecord> published = versions(b.output());
            assertThat(published).extracting(ModelVersionRecord::version).containsExactly(2L);
            ModelVersionRecord again = published.get(0);
            assertThat(again.counters()).isEqualTo(v2.counters());
            assertThat(again.metrics()).isEqualTo(v2.metrics());
            assertThat(Files.readAllBytes(storeB.resolve("doom/v2/model.safetensors")))
                    .as("the same weights after the restore")
                    .isEqualTo(Files.readAllBytes(storeA.resolve("doom/v2/model.safetensors")));
        }
    }
}

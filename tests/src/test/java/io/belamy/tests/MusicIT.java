package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.Piece;
import io.belamy.core.store.ModelCard;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.streaming.JobArgs;
import io.belamy.train.TrainMusicJob;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Music end to end on a real broker and MiniCluster: ingest 3 pieces, train the GAN a few steps in
 * the train-music job, a version on the models topic, then a music prompt to the generation job
 * serving that version and a reply whose MIDI file has the requested bars and tracks.
 */
class MusicIT {

    @TempDir Path work;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void ingestTrainPublishAndAnswerAMusicPrompt() throws Exception {
        Path songs = Files.createDirectories(work.resolve("songs"));
        for (String name : List.of("D_E1M1.mid", "D_DEAD2.mid", "D_BUNNY.mid")) {
            Files.copy(MidiIngestIT.MIDI.resolve(name), songs.resolve(name));
        }
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("runtime"))) {
            String b = runtime.kafka().bootstrapServers();
            IngestIT.Run ingest =
                    IngestIT.cli(
                            "ingest",
                            "midi",
                            songs.toString(),
                            "--corpus",
                            "doom",
                            "--bootstrap",
                            b);
            assertThat(ingest.code()).as(ingest.err()).isZero();
            assertThat(ingest.out()).contains("ingested 3 pieces");
            // a record that is not a MIDI event: dead letter, training goes on
            KafkaRecords.send(
                    runtime.kafka(),
                    runtime.topics().corpusMidi().name(),
                    "junk",
                    "{\"v\":1,\"type\":\"note\"".getBytes(StandardCharsets.UTF_8));

            Map<String, String> a = new LinkedHashMap<>();
            a.put("bootstrap.servers", b);
            a.put("topic.prefix", runtime.topics().prefix());
            a.put("model.store", work.resolve("store").toString());
            a.put("checkpoint.interval", "1s");
            a.put("model.name", "doom-gan");
            a.put("model.preset", "small");
            a.put("batch.size", "4");
            a.put("critic.steps", "2");
            a.put("steps.per.phrase", "0.25");
            a.put("steps.per.version", "4");
            a.put("eval.samples", "8");
            JobArgs args = JobArgs.of(a, TrainMusicJob.KEYS);
            JobClient training =
                    runtime.submit(
                            "train doom-gan",
                            env -> TrainMusicJob.configure(env, args),
                            Duration.ofMinutes(2));

            ModelVersionRecord v1 =
                    ModelVersionRecord.CODEC.decode(
                            KafkaRecords.readUntil(
                                            runtime.kafka(),
                                            runtime.topics().models().name(),
                                            true,
                                            Duration.ofMinutes(3),
                                            r -> !r.isEmpty())
                                    .get(0)
                                    .value());
            assertThat(v1.name()).isEqualTo("doom-gan");
            assertThat(v1.kind()).isEqualTo("musegan");
            assertThat(v1.version()).isEqualTo(1);
            assertThat(v1.counters().get("steps")).isGreaterThanOrEqualTo(4);
            assertThat(v1.metrics())
                    .containsKeys(
                            "criticLoss",
                            "generatorLoss",
                            "EB.bass",
                            "data.EB.bass",
                            "UPC.piano",
                            "data.EB.piano",
                            "data.QN.guitar");
            assertThat(v1.metrics().get("criticLoss")).isFinite();
            Path dir = Path.of(java.net.URI.create(v1.uri()));
            assertThat(dir.resolve("config.json")).exists();
            assertThat(dir.resolve("model.safetensors")).exists();
            assertThat(ModelCard.read(dir).orElseThrow().kind()).isEqualTo("musegan");

            List<DeadLetter> letters =
                    KafkaRecords.readUntil(
                                    runtime.kafka(),
                                    runtime.topics().dlq().name(),
                                    true,
                                    Duration.ofMinutes(1),
                                    r -> !r.isEmpty())
                            .stream()
                            .map(r -> DeadLetter.CODEC.decode(r.value()))
                            .toList();
            assertThat(letters).anySatisfy(d -> assertThat(d.source().key()).isEqualTo("junk"));
            training.cancel().get(60, TimeUnit.SECONDS);

            Runtimes.serve(runtime, dir, Map.of());
            try (var replies =
                            new io.belamy.app.client.MusicReplyConsumer(
                                    runtime.kafka(), runtime.topics(), false);
                    var prompts =
                            new io.belamy.app.client.PromptProducer(
                                    runtime.kafka(), runtime.topics())) {
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "song-1",
                                PromptRecord.MUSIC,
                                "doom-gan",
                                null,
                                null,
                                new PromptParams(
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        3L,
                                        null,
                                        8,
                                        100f,
                                        List.of("drums", "bass", "piano"))));
                prompts.send(
                        new PromptRecord(
                                PromptRecord.VERSION,
                                "song-2",
                                PromptRecord.MUSIC,
                                null,
                                null,
                                null,
                                new PromptParams(
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        3L,
                                        null,
                                        2,
                                        null,
                                        List.of("banjo"))));
                MusicReply first = replies.await("song-1", Duration.ofMinutes(2));
                MusicReply second = replies.await("song-2", Duration.ofMinutes(1));

                MusicReply.Result r = (MusicReply.Result) first;
                assertThat(r.summary().bars()).isEqualTo(8);
                assertThat(r.summary().tracks()).isEqualTo(3);
                assertThat(r.summary().notes()).isPositive();
                assertThat(r.model().name()).isEqualTo("doom-gan");
                assertThat(r.model().version()).isEqualTo(1);
                assertThat(r.seed()).isEqualTo(3);
                assertThat(r.metrics())
                        .containsKeys(
                                "EB.drums",
                                "EB.bass",
                                "EB.piano",
                                "UPC.bass",
                                "QN.piano",
                                "DP.drums",
                                "TD.bass-piano");

                byte[] midi = Base64.getDecoder().decode(r.midi());
                Sequence s =
                        MidiSystem.getSequence(new ByteArrayInputStream(midi)); // the JDK's parser
                assertThat(s.getTracks()).hasSize(4); // conductor + drums, bass, piano
                assertThat(trackName(s.getTracks()[1])).isEqualTo("drums");
                assertThat(trackName(s.getTracks()[3])).isEqualTo("piano");
                Piece piece = MidiCodec.read(midi);
                assertThat(piece.length()).isEqualTo(8L * 4 * piece.ppq()); // 8 bars of 4/4
                assertThat(piece.tempos().get(0).bpm())
                        .isCloseTo(100, org.assertj.core.data.Offset.offset(0.01));
                assertThat(piece.notes()).hasSize(r.summary().notes());

                MusicReply.Error e = (MusicReply.Error) second;
                assertThat(e.error().code()).isEqualTo("invalid_params");
                assertThat(e.error().message())
                        .contains("track \"banjo\" is not one of the model's");
            }
        }
    }

    private static String trackName(Track t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.get(i).getMessage() instanceof MetaMessage m && m.getType() == 0x03) {
                return new String(m.getData(), StandardCharsets.US_ASCII);
            }
        }
        return null;
    }
}

package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MidiEvents;
import io.belamy.core.topic.MidiEventRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code belamy ingest midi} against a real broker: pieces, WADs, corrupt files, re-ingest. */
class MidiIngestIT {

    static final Path MIDI = TrainTextJobIT.DATA.getParent().resolve("midi");

    @TempDir Path work;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void piecesGoInWholeAndCorruptFilesAreReportedAndSkipped() throws Exception {
        Path songs = Files.createDirectories(work.resolve("songs"));
        for (String name : List.of("D_E1M1.mid", "D_DEAD2.mid", "D_BUNNY.mid")) {
            Files.copy(MIDI.resolve(name), songs.resolve(name));
        }
        byte[] good = Files.readAllBytes(MIDI.resolve("D_E1M6.mid"));
        Files.write(songs.resolve("truncated.mid"), Arrays.copyOf(good, good.length / 3));
        Files.write(
                songs.resolve("wrong-header.mid"),
                "RIFF0000RMIDdata".getBytes(StandardCharsets.US_ASCII));
        byte[] random = new byte[4096];
        new SplittableRandom(11).nextBytes(random);
        Files.write(songs.resolve("random.mid"), random);
        Files.write(
                songs.resolve("zero-tracks.mid"),
                new byte[] {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 0, 0, 96});
        Files.writeString(songs.resolve("notes.txt"), "not music, and not picked up by extension");
        Path wad = work.resolve("music.wad");
        Files.write(
                wad,
                wad(
                        Map.of(
                                "D_ONE", Files.readAllBytes(MIDI.resolve("D_DM2TTL.mid")),
                                "D_MUS",
                                        "MUS\u001a old format"
                                                .getBytes(StandardCharsets.ISO_8859_1),
                                "MAP01", new byte[64])));

        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("runtime"))) {
            String b = runtime.kafka().bootstrapServers();
            IngestIT.Run first =
                    IngestIT.cli(
                            "ingest",
                            "midi",
                            songs.toString(),
                            wad.toString(),
                            "--corpus",
                            "doom",
                            "--bootstrap",
                            b);

            assertThat(first.code()).as(first.err()).isEqualTo(4); // partial
            assertThat(first.err())
                    .contains("truncated.mid: songs/truncated.mid: truncated: track")
                    .contains(
                            "wrong-header.mid: songs/wrong-header.mid: not a Standard MIDI File: it starts with 52 49 46 46")
                    .contains("random.mid: songs/random.mid: not a Standard MIDI File")
                    .contains(
                            "zero-tracks.mid: songs/zero-tracks.mid: the header declares zero tracks")
                    .doesNotContain("notes.txt")
                    .doesNotContain("Exception");
            assertThat(first.out()).contains("ingested 4 pieces").contains("4 not MIDI or corrupt");

            String topic = runtime.topics().corpusMidi().name();
            List<ConsumerRecord<String, byte[]>> records =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            topic,
                            true,
                            Duration.ofSeconds(60),
                            rs ->
                                    rs.stream()
                                                    .filter(
                                                            r ->
                                                                    MidiEventRecord.CODEC
                                                                            .decode(r.value())
                                                                            .type()
                                                                            .equals(
                                                                                    MidiEventRecord
                                                                                            .END))
                                                    .count()
                                            == 4);
            Map<String, List<MidiEventRecord>> byPiece = new TreeMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                MidiEventRecord e = MidiEventRecord.CODEC.decode(r.value());
                assertThat(e.piece()).isEqualTo(r.key());
                assertThat(e.corpus()).isEqualTo("doom");
                byPiece.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(e);
            }
            assertThat(byPiece.keySet())
                    .containsExactly(
                            "music.wad/D_ONE",
                            "songs/D_BUNNY.mid",
                            "songs/D_DEAD2.mid",
                            "songs/D_E1M1.mid");
            Map<String, Path> sources = new LinkedHashMap<>();
            sources.put("music.wad/D_ONE", MIDI.resolve("D_DM2TTL.mid"));
            sources.put("songs/D_BUNNY.mid", MIDI.resolve("D_BUNNY.mid"));
            for (Map.Entry<String, Path> e : sources.entrySet()) {
                List<MidiEventRecord> piece = byPiece.get(e.getKey());
                // in order, numbered from 0, the end marker last and counting the rest
                for (int i = 0; i < piece.size(); i++) {
                    assertThat(piece.get(i).seq()).isEqualTo(i);
                }
                MidiEventRecord end = piece.get(piece.size() - 1);
                assertThat(end.type()).isEqualTo(MidiEventRecord.END);
                assertThat(end.eventCount()).isEqualTo(piece.size() - 1);
                assertThat(MidiEvents.toPiece(piece)).isEqualTo(MidiCodec.read(e.getValue()));
            }

            IngestIT.Run again =
                    IngestIT.cli(
                            "ingest",
                            "midi",
                            songs.resolve("D_E1M1.mid").toString(),
                            wad.toString(),
                            "--corpus",
                            "doom",
                            "--bootstrap",
                            b);
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.out()).contains("ingested 0 pieces").contains("2 already ingested");
        }
    }

    /** A little-endian Doom WAD holding the lumps. */
    static byte[] wad(Map<String, byte[]> lumps) {
        int size = 12 + lumps.values().stream().mapToInt(v -> v.length).sum() + 16 * lumps.size();
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put("PWAD".getBytes(StandardCharsets.US_ASCII));
        b.putInt(lumps.size());
        b.putInt(size - 16 * lumps.size());
        List<int[]> offsets = new ArrayList<>();
        Map<String, byte[]> ordered = new TreeMap<>(lumps);
        for (byte[] data : ordered.values()) {
            offsets.add(new int[] {b.position(), data.length});
            b.put(data);
        }
        int i = 0;
        for (String name : ordered.keySet()) {
            b.putInt(offsets.get(i)[0]);
            b.putInt(offsets.get(i)[1]);
            b.put(Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), 8));
            i++;
        }
        return b.array();
    }
}

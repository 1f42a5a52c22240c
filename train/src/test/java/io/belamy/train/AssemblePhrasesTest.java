package io.belamy.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MidiEvents;
import io.belamy.core.music.Note;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.Piece;
import io.belamy.core.music.RollSpec;
import io.belamy.core.music.TempoChange;
import io.belamy.core.music.TimeSignature;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.testing.Harnesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;

class AssemblePhrasesTest {

    static final Topics TOPICS = new Topics("t.");
    static final RollSpec SPEC = RollSpec.defaults();
    static final Duration IDLE = Duration.ofSeconds(60);

    static Harnesses.Keyed<String, MidiEventRecord, Phrase> harness() throws Exception {
        return Harnesses.keyed(
                new AssemblePhrases(TOPICS, "train-music", SPEC, IDLE),
                new TrainMusicJob.PieceKey(),
                Types.STRING);
    }

    static Piece bundled(String name) throws Exception {
        return MidiCodec.read(Path.of("..", "data", "midi", name));
    }

    /** The rolls of the phrases emitted for one piece, in order. */
    static List<PianoRoll> rolls(List<Phrase> phrases, String key) {
        List<Phrase> mine = phrases.stream().filter(p -> p.piece().equals(key)).toList();
        for (int i = 0; i < mine.size(); i++) {
            assertThat(mine.get(i).index()).isEqualTo(i);
        }
        return mine.stream().map(p -> PianoRoll.fromBits(SPEC, p.bits())).toList();
    }

    @Test
    void interleavedPiecesBecomeTheirPhrasesAtTheirEndMarkersAndLeaveNoState() throws Exception {
        Piece a = bundled("D_E1M1.mid");
        Piece b = bundled("D_INTER.mid");
        List<MidiEventRecord> ra = MidiEvents.toRecords(a, "doom", "e1m1");
        List<MidiEventRecord> rb = MidiEvents.toRecords(b, "doom", "inter");
        try (var h = harness()) {
            for (int i = 0; i < Math.max(ra.size(), rb.size()); i++) {
                if (i < ra.size()) {
                    h.push(ra.get(i));
                }
                if (i < rb.size()) {
                    h.push(rb.get(i));
                }
            }
            List<PianoRoll> expectedA = PianoRolls.phrases(a, SPEC).rolls();
            List<PianoRoll> expectedB = PianoRolls.phrases(b, SPEC).rolls();
            assertThat(expectedA).isNotEmpty();
            assertThat(expectedB).isNotEmpty();
            assertThat(rolls(h.output(), "doom/e1m1")).containsExactlyElementsOf(expectedA);
            assertThat(rolls(h.output(), "doom/inter")).containsExactlyElementsOf(expectedB);
            assertThat(h.sideOutput(AssemblePhrases.REPORTS)).isEmpty();
            assertThat(h.stateEntries()).as("state cleared after each piece").isZero();
            assertThat(h.timers()).as("idle timers deleted").isZero();
        }
    }

    @Test
    void aLivePieceWithoutEndMarkerIsCutAfterTheIdleTimeout() throws Exception {
        Piece a = bundled("D_E1M1.mid");
        List<MidiEventRecord> records = MidiEvents.toRecords(a, "live", "keys");
        List<MidiEventRecord> events = records.subList(0, records.size() - 1); // no end marker
        assertThat(records.get(records.size() - 1).type()).isEqualTo(MidiEventRecord.END);
        try (var h = harness()) {
            h.processingTime(1_000);
            events.forEach(
                    e -> {
                        try {
                            h.push(e);
                        } catch (Exception x) {
                            throw new AssertionError(x);
                        }
                    });
            h.processingTime(1_000 + IDLE.toMillis() - 1);
            assertThat(h.output()).as("not idle long enough").isEmpty();
            h.processingTime(1_000 + IDLE.toMillis());
            // without the marker the piece ends with its last note, so a last phrase whose
            // final bars are silent in the file is incomplete here
            List<PianoRoll> expected = PianoRolls.phrases(MidiEvents.toPiece(events), SPEC).rolls();
            assertThat(expected.size())
                    .isBetween(
                            PianoRolls.phrases(a, SPEC).rolls().size() - 1,
                            PianoRolls.phrases(a, SPEC).rolls().size());
            assertThat(rolls(h.output(), "live/keys")).containsExactlyElementsOf(expected);
            assertThat(h.stateEntries()).isZero();
            assertThat(h.timers()).isZero();
        }
    }

    @Test
    void missingEventsAndPiecesWithoutAPhraseAreReportedAndTheRestIsUsed() throws Exception {
        Piece a = bundled("D_E1M1.mid");
        List<MidiEventRecord> records = MidiEvents.toRecords(a, "doom", "e1m1");
        // a 3/4 waltz: no 4/4 phrase to cut
        Piece waltz =
                new Piece(
                        96,
                        List.of(new Note(0, 96 * 3 * 8, 60, 100, 0, 0, 0)),
                        List.of(TempoChange.ofBpm(0, 100)),
                        List.of(new TimeSignature(0, 3, 4)));
        try (var h = harness()) {
            for (int i = 0; i < records.size(); i++) {
                if (i != 3) { // one note lost upstream
                    h.push(records.get(i));
                }
            }
            for (MidiEventRecord r : MidiEvents.toRecords(waltz, "doom", "waltz")) {
                h.push(r);
            }
            assertThat(rolls(h.output(), "doom/e1m1")).isNotEmpty();
            assertThat(rolls(h.output(), "doom/waltz")).isEmpty();
            List<DeadLetter> letters =
                    h.sideOutput(AssemblePhrases.REPORTS).stream()
                            .peek(o -> assertThat(o.topic()).isEqualTo(TOPICS.dlq().name()))
                            .map(OutRecord::value)
                            .map(DeadLetter.CODEC::decode)
                            .toList();
            assertThat(letters).hasSize(2);
            assertThat(letters.get(0).error().code()).isEqualTo(AssemblePhrases.INCOMPLETE_PIECE);
            assertThat(letters.get(0).error().message())
                    .contains(
                            "doom/e1m1",
                            records.size() - 1 + " events",
                            records.size() - 2 + " arrived");
            assertThat(letters.get(1).error().code()).isEqualTo(AssemblePhrases.NO_PHRASES);
            assertThat(letters.get(1).error().message())
                    .contains("doom/waltz", "8 bars not in 4/4");
            assertThat(h.stateEntries()).isZero();
        }
    }
}

package io.belamy.core.music;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.MidiEventRecord;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Test;

class MidiCodecTest {

    @Test
    void smfToEventsToSmfToEventsIsIdenticalForTheBundledPieces() throws Exception {
        for (Path file : Fixtures.midiFiles()) {
            String id = file.getFileName().toString();
            Piece piece = MidiCodec.read(file);
            assertThat(piece.notes()).as(id).hasSizeGreaterThan(200);
            assertThat(piece.parts()).as(id).isGreaterThan(2);

            List<MidiEventRecord> events = MidiEvents.toRecords(piece, "freedoom", id);
            byte[] written = MidiCodec.write(MidiEvents.toPiece(events));
            List<MidiEventRecord> again =
                    MidiEvents.toRecords(MidiCodec.read(written), "freedoom", id);

            assertThat(again).as(id).isEqualTo(events);
            assertThat(events.get(events.size() - 1).type()).isEqualTo(MidiEventRecord.END);
            assertThat(events.get(events.size() - 1).eventCount()).isEqualTo(events.size() - 1);
        }
    }

    @Test
    void noteOnWithVelocityZeroEndsANote() throws Exception {
        Piece p = read(track(on(0, 60, 90), on(96, 60, 0)));
        assertThat(p.notes()).containsExactly(new Note(0, 96, 60, 90, 0, 0, 0));
    }

    @Test
    void aReStrikeEndsTheSoundingNoteAndANoteOffAfterItAtTheSameTickEndsNothingMore()
            throws Exception {
        // on 60 @0; on 60 @96 (re-strike) then off 60 @96 (sequencer order); off 60 @200
        Piece p = read(track(on(0, 60, 90), on(96, 60, 80), off(96, 60), off(200, 60)));
        assertThat(p.notes())
                .containsExactly(
                        new Note(0, 96, 60, 90, 0, 0, 0), new Note(96, 104, 60, 80, 0, 0, 0));
    }

    @Test
    void anUnterminatedNoteLastsToTheEndOfItsTrackAndZeroLengthNotesAreDropped() throws Exception {
        Piece p = read(track(on(0, 64, 70), off(0, 64), on(10, 67, 70), on(50, 40, 1)));
        // 64 had no length; 67 and 40 sound until the track's last event (tick 50)
        assertThat(p.notes()).containsExactly(new Note(10, 40, 67, 70, 0, 0, 0));
    }

    @Test
    void programChangesApplyToNotesFromTheirTickOnAcrossTracksAndMakeParts() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 96);
        Track programs = s.createTrack(); // a track holding only program changes
        programs.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 33, 0), 0));
        programs.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 48, 0), 96));
        Track notes = s.createTrack();
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 40, 100), 0));
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 40, 0), 96));
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 41, 100), 96));
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 41, 0), 192));
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 9, 36, 100), 0));
        notes.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 9, 36, 0), 10));

        Piece p = MidiCodec.read(bytes(s));

        assertThat(p.notes())
                .containsExactly(
                        new Note(0, 96, 40, 100, 0, 33, 0),
                        new Note(0, 10, 36, 100, 9, 0, 2),
                        new Note(96, 96, 41, 100, 0, 48, 1));
        assertThat(p.notes().get(1).drum()).isTrue();
    }

    @Test
    void tempoAndTimeSignatureSurviveAndNamedEmptyPartsGetTracks() throws Exception {
        Piece p =
                new Piece(
                        480,
                        List.of(new Note(0, 480, 60, 100, 0, 0, 0)),
                        List.of(TempoChange.ofBpm(0, 90), new TempoChange(1920, 400_000)),
                        List.of(new TimeSignature(0, 3, 4), new TimeSignature(1440, 4, 4)));
        Piece back = MidiCodec.read(MidiCodec.write(p, List.of("piano", "bass")));
        assertThat(back).isEqualTo(p);
        assertThat(
                        MidiSystem.getSequence(
                                        new java.io.ByteArrayInputStream(
                                                MidiCodec.write(p, List.of("piano", "bass"))))
                                .getTracks())
                .hasSize(3); // conductor + 2 parts, the second without notes
    }

    @Test
    void corruptInputsGetAReasonNotAnException() throws Exception {
        byte[] good = Files.readAllBytes(Fixtures.midiFiles().get(0));
        byte[] random = new byte[2000];
        new SplittableRandom(3).nextBytes(random);

        assertReason(new byte[0], "not a Standard MIDI File: it starts with nothing");
        assertReason(random, "not a Standard MIDI File");
        assertReason("RIFF....RMIDdata".getBytes(), "starts with 52 49 46 46");
        assertReason(Arrays.copyOf(good, 10), "truncated: 10 bytes");
        assertReason(Arrays.copyOf(good, good.length / 2), "truncated: track");
        assertReason(Arrays.copyOf(good, 14), "truncated: the header declares");
        assertReason(header(1, 0, 96), "zero tracks");
        assertReason(header(2, 1, 96), "format 2");
        assertReason(header(1, 1, 0xE728), "SMPTE");
        byte[] garbage =
                concat(
                        header(0, 1, 96),
                        new byte[] {'M', 'T', 'r', 'k', 0, 0, 0, 3, 0, (byte) 0xFF, 0x51});
        assertReason(garbage, "malformed MIDI data");
    }

    private static void assertReason(byte[] bytes, String reason) {
        assertThatThrownBy(() -> MidiCodec.read(bytes))
                .isInstanceOf(MidiFormatException.class)
                .hasMessageContaining(reason);
    }

    private static byte[] header(int format, int tracks, int division) {
        return new byte[] {
            'M',
            'T',
            'h',
            'd',
            0,
            0,
            0,
            6,
            0,
            (byte) format,
            (byte) (tracks >> 8),
            (byte) tracks,
            (byte) (division >> 8),
            (byte) division
        };
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static MidiEvent on(long tick, int pitch, int velocity) throws Exception {
        return new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, pitch, velocity), tick);
    }

    static MidiEvent off(long tick, int pitch) throws Exception {
        return new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, pitch, 0), tick);
    }

    /**
     * A one-track sequence with the events in the given order (the JDK keeps it at equal ticks).
     */
    static Sequence track(MidiEvent... events) throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 96);
        Track t = s.createTrack();
        for (MidiEvent e : events) {
            t.add(e);
        }
        return s;
    }

    static Piece read(Sequence s) throws Exception {
        return MidiCodec.read(bytes(s));
    }

    static byte[] bytes(Sequence s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MidiSystem.write(s, 1, out);
        return out.toByteArray();
    }

    static MidiEvent tempo(long tick, int micros) throws Exception {
        byte[] d = {(byte) (micros >> 16), (byte) (micros >> 8), (byte) micros};
        return new MidiEvent(new MetaMessage(0x51, d, 3), tick);
    }
}

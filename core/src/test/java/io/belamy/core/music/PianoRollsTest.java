package io.belamy.core.music;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.core.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class PianoRollsTest {

    static final int PPQ = 96; // a bar is 384 ticks, a sixteenth step 24
    static final RollSpec SPEC = RollSpec.defaults(); // 4 bars x 16 x 84 (from MIDI 24) x 5
    static final int DRUMS = 0;
    static final int BASS = 1;
    static final int GUITAR = 2;
    static final int PIANO = 3;
    static final int STRINGS = 4;

    @Test
    void aHandMadeMidiGivesExactlyTheExpectedCells() throws Exception {
        List<Note> notes =
                List.of(
                        // piano C4 for a quarter from the start: steps 0-3
                        new Note(0, 96, 60, 100, 0, 0, 0),
                        // bass C2 at tick 24 for an eighth: steps 1-2
                        new Note(24, 48, 36, 100, 1, 33, 1),
                        // a drum hit lasting long: only its onset step 2
                        new Note(48, 500, 36, 100, 9, 0, 2),
                        // a guitar note below C1: dropped
                        new Note(0, 96, 20, 100, 2, 25, 3),
                        // organ (program 19 -> piano) at tick 13: rounds to step 1, ends at 37 ->
                        // step 2
                        new Note(13, 24, 62, 100, 3, 19, 4),
                        // strings across the phrase boundary (tick 1536): steps 62-63, then 0-1
                        new Note(1488, 96, 72, 100, 4, 48, 5),
                        // piano in the last beat of bar 8: second phrase steps 60-63
                        new Note(3072 - 96, 96, 67, 100, 0, 0, 0),
                        // after a change to 3/4: skipped
                        new Note(3072, 288 * 2, 60, 100, 0, 0, 0));
        Piece piece =
                new Piece(
                        PPQ,
                        notes,
                        List.of(TempoChange.ofBpm(0, 100)),
                        List.of(new TimeSignature(0, 4, 4), new TimeSignature(3072, 3, 4)));
        piece = MidiCodec.read(MidiCodec.write(piece)); // through a real file

        PianoRolls.Phrases phrases = PianoRolls.phrases(piece, SPEC);

        PianoRoll first = new PianoRoll(SPEC);
        on(first, PIANO, 0, 4, 60);
        on(first, BASS, 1, 3, 36);
        on(first, DRUMS, 2, 3, 36);
        on(first, PIANO, 1, 2, 62);
        on(first, STRINGS, 62, 64, 72);
        PianoRoll second = new PianoRoll(SPEC);
        on(second, STRINGS, 0, 2, 72);
        on(second, PIANO, 60, 64, 67);
        assertThat(phrases.rolls()).containsExactly(first, second);
        assertThat(phrases.notesOutOfRange()).isEqualTo(1);
        assertThat(phrases.barsNotIn44()).isEqualTo(2); // 576 ticks of 3/4 = 2 bars
    }

    @Test
    void emptyPhrasesAndIncompleteLastPhrasesAreDropped() {
        // notes only in bars 5-6 of 7: phrase 1 (bars 1-4) is empty, bars 5-7 are incomplete
        Piece piece =
                new Piece(
                        PPQ,
                        List.of(
                                new Note(4 * 384, 2 * 384, 60, 100, 0, 0, 0),
                                new Note(6 * 384 + 300, 84, 62, 90, 0, 0, 0)),
                        List.of(),
                        List.of());
        assertThat(PianoRolls.phrases(piece, SPEC).rolls()).isEmpty();
        assertThat(PianoRolls.phrases(piece, SPEC.withBars(2)).rolls()).hasSize(1);
    }

    @Test
    void aRollBecomesAPieceWithOnePartPerTrackAndBack() throws Exception {
        PianoRoll roll = new PianoRoll(SPEC);
        on(roll, DRUMS, 0, 2, 36); // two hits
        on(roll, BASS, 4, 12, 40);
        on(roll, PIANO, 16, 20, 64);
        Piece piece = PianoRolls.toPiece(roll, 120, 100);
        assertThat(piece.notes()).hasSize(4);
        assertThat(piece.notes().stream().filter(Note::drum).count()).isEqualTo(2);
        byte[] smf = MidiCodec.write(piece, SPEC.tracks());
        Piece back = MidiCodec.read(smf);
        assertThat(PianoRolls.phrases(back, SPEC).rolls()).containsExactly(roll);
        assertThat(back.tempos().get(0).bpm())
                .isCloseTo(120, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void theBundledPiecesGivePhrasesExceptThoseNotIn44() throws Exception {
        int total = 0;
        for (var file : Fixtures.midiFiles()) {
            Piece piece = MidiCodec.read(file);
            PianoRolls.Phrases p = PianoRolls.phrases(piece, SPEC);
            String name = file.getFileName().toString();
            if (name.equals("D_AMPIE.mid") || name.equals("D_E2M1.mid")) {
                assertThat(p.rolls()).as(name).isEmpty();
                assertThat(p.barsNotIn44()).as(name).isPositive();
            } else {
                assertThat(p.rolls()).as(name).hasSizeGreaterThan(5);
            }
            total += p.rolls().size();
        }
        assertThat(total).isGreaterThan(80);
    }

    /** Sets a pitch on a track for steps [from, to). */
    static void on(PianoRoll roll, int track, int from, int to, int midiPitch) {
        for (int s = from; s < to; s++) {
            roll.set(track, s, midiPitch - roll.spec().lowestPitch(), true);
        }
    }
}

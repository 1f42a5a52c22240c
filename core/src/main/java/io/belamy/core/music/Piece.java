package io.belamy.core.music;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A piece of music as notes, tempo changes and time signatures, in ticks of {@code ppq} per quarter
 * note. Notes are kept in a canonical order (onset, part, pitch, duration, velocity), tempo changes
 * and time signatures by tick (stable), so that equal music compares equal.
 *
 * @param ppq ticks per quarter note (the SMF division)
 * @param length the piece's length in ticks: at least the end of its last note, longer when it ends
 *     in a rest (a Standard MIDI File's last end-of-track event)
 */
public record Piece(
        int ppq,
        List<Note> notes,
        List<TempoChange> tempos,
        List<TimeSignature> timeSignatures,
        long length) {

    /** Default tempo of a Standard MIDI File without a tempo event (120 bpm). */
    public static final int DEFAULT_MICROS_PER_QUARTER = 500_000;

    static final Comparator<Note> ORDER =
            Comparator.comparingLong(Note::tick)
                    .thenComparingInt(Note::part)
                    .thenComparingInt(Note::pitch)
                    .thenComparingLong(Note::duration)
                    .thenComparingInt(Note::velocity)
                    .thenComparingInt(Note::channel)
                    .thenComparingInt(Note::program);

    public Piece {
        if (ppq < 1 || ppq > 0x7FFF) {
            throw new IllegalArgumentException("ppq must be 1 to 32767, got " + ppq);
        }
        List<Note> sorted = new ArrayList<>(notes);
        sorted.sort(ORDER);
        notes = List.copyOf(sorted);
        List<TempoChange> t = new ArrayList<>(tempos);
        t.sort(Comparator.comparingLong(TempoChange::tick));
        tempos = List.copyOf(t);
        List<TimeSignature> s = new ArrayList<>(timeSignatures);
        s.sort(Comparator.comparingLong(TimeSignature::tick));
        timeSignatures = List.copyOf(s);
        long last = notes.stream().mapToLong(Note::end).max().orElse(0);
        if (!tempos.isEmpty()) {
            last = Math.max(last, tempos.get(tempos.size() - 1).tick());
        }
        if (!timeSignatures.isEmpty()) {
            last = Math.max(last, timeSignatures.get(timeSignatures.size() - 1).tick());
        }
        length = Math.max(length, last);
    }

    /** A piece as long as its last note or event. */
    public Piece(
            int ppq,
            List<Note> notes,
            List<TempoChange> tempos,
            List<TimeSignature> timeSignatures) {
        this(ppq, notes, tempos, timeSignatures, 0);
    }

    /** Number of parts (highest part index + 1). */
    public int parts() {
        return notes.stream().mapToInt(Note::part).max().orElse(-1) + 1;
    }

    /** Length in seconds, following the tempo changes. */
    public double seconds() {
        long end = length;
        double micros = 0;
        long at = 0;
        int tempo = DEFAULT_MICROS_PER_QUARTER;
        for (TempoChange c : tempos) {
            if (c.tick() >= end) {
                break;
            }
            micros += (double) (c.tick() - at) * tempo / ppq;
            at = c.tick();
            tempo = c.microsPerQuarter();
        }
        micros += (double) (end - at) * tempo / ppq;
        return micros / 1e6;
    }
}

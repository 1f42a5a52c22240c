package io.belamy.core.music;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * The shape of a multi-track piano roll: {@code bars} x {@code stepsPerBar} x {@code pitches} x
 * {@code tracks}, pitches from {@code lowestPitch} up. A bar is 4 quarter notes (rolls are cut from
 * 4/4 music only), so with 16 steps per bar a step is a sixteenth note.
 *
 * @param tracks instrument families, in order (see {@link #trackOf(Note)})
 */
public record RollSpec(int bars, int stepsPerBar, int lowestPitch, int pitches, List<String> tracks)
        implements Serializable {

    public static final String DRUMS = "drums";
    public static final String BASS = "bass";
    public static final String GUITAR = "guitar";
    public static final String PIANO = "piano";
    public static final String STRINGS = "strings";

    /** The families, in the default order. */
    public static final List<String> FAMILIES = List.of(DRUMS, BASS, GUITAR, PIANO, STRINGS);

    private static final Set<String> KNOWN = Set.copyOf(FAMILIES);

    public RollSpec {
        if (bars < 1 || bars > 64) {
            throw new IllegalArgumentException("bars must be 1 to 64, got " + bars);
        }
        if (stepsPerBar < 4 || stepsPerBar > 96 || stepsPerBar % 4 != 0) {
            throw new IllegalArgumentException(
                    "steps per bar must be a multiple of 4 from 4 to 96, got " + stepsPerBar);
        }
        if (lowestPitch < 0 || pitches < 1 || lowestPitch + pitches > 128) {
            throw new IllegalArgumentException(
                    "pitches "
                            + lowestPitch
                            + " to "
                            + (lowestPitch + pitches - 1)
                            + " are not within MIDI's 0 to 127");
        }
        if (tracks == null || tracks.isEmpty()) {
            throw new IllegalArgumentException("a roll needs at least one track");
        }
        for (String t : tracks) {
            if (!KNOWN.contains(t)) {
                throw new IllegalArgumentException(
                        "unknown track \"" + t + "\" (known: " + String.join(", ", FAMILIES) + ")");
            }
        }
        if (Set.copyOf(tracks).size() != tracks.size()) {
            throw new IllegalArgumentException("tracks repeat: " + tracks);
        }
        tracks = List.copyOf(tracks);
    }

    /** 4 bars x 16 steps x 84 pitches (C1 to B7, MIDI 24 to 107) x 5 tracks, as MuseGAN. */
    public static RollSpec defaults() {
        return new RollSpec(4, 16, 24, 84, FAMILIES);
    }

    public RollSpec withBars(int newBars) {
        return new RollSpec(newBars, stepsPerBar, lowestPitch, pitches, tracks);
    }

    public RollSpec withStepsPerBar(int steps) {
        return new RollSpec(bars, steps, lowestPitch, pitches, tracks);
    }

    /** Steps in the whole roll. */
    public int steps() {
        return bars * stepsPerBar;
    }

    /** Cells of one roll. */
    public int size() {
        return tracks.size() * steps() * pitches;
    }

    /**
     * The track index a note belongs to, or -1 when the spec has no track for its family. Families
     * by General MIDI program: drums = channel 10; bass = programs 32-39; guitar = 24-31; piano =
     * 0-23 (pianos, chromatic percussion, organs); strings = 40-127 (strings, ensembles and every
     * other melodic instrument).
     */
    public int trackOf(Note note) {
        return tracks.indexOf(family(note));
    }

    /** A note's instrument family (see {@link #trackOf(Note)}). */
    public static String family(Note note) {
        if (note.drum()) {
            return DRUMS;
        }
        int p = note.program();
        if (p >= 32 && p <= 39) {
            return BASS;
        }
        if (p >= 24 && p <= 31) {
            return GUITAR;
        }
        if (p <= 23) {
            return PIANO;
        }
        return STRINGS;
    }

    /** The General MIDI program a generated track plays (drums: 0 on channel 10). */
    public static int program(String family) {
        return switch (family) {
            case BASS -> 33; // electric bass (finger)
            case GUITAR -> 25; // acoustic guitar (steel)
            case PIANO -> 0; // acoustic grand piano
            case STRINGS -> 48; // string ensemble 1
            default -> 0;
        };
    }
}

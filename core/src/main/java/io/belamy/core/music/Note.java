package io.belamy.core.music;

/**
 * One note of a {@link Piece}. Times are in ticks of the piece's {@code ppq}.
 *
 * @param tick onset
 * @param duration length in ticks, at least 1
 * @param pitch MIDI key, 0-127 (for drums, the General MIDI percussion sound)
 * @param velocity note-on velocity, 1-127
 * @param channel MIDI channel, 0-15 (9 is the General MIDI percussion channel)
 * @param program General MIDI program, 0-127, in effect on the channel at the onset
 * @param part index of the part (source track, channel, program) within the piece
 */
public record Note(
        long tick, long duration, int pitch, int velocity, int channel, int program, int part) {

    /** The General MIDI percussion channel (channel 10, counted from 1). */
    public static final int DRUM_CHANNEL = 9;

    public Note {
        if (tick < 0) {
            throw new IllegalArgumentException("note tick must be >= 0, got " + tick);
        }
        if (duration < 1) {
            throw new IllegalArgumentException("note duration must be >= 1, got " + duration);
        }
        check("pitch", pitch, 0, 127);
        check("velocity", velocity, 1, 127);
        check("channel", channel, 0, 15);
        check("program", program, 0, 127);
        if (part < 0) {
            throw new IllegalArgumentException("note part must be >= 0, got " + part);
        }
    }

    /** Whether the note is on the percussion channel. */
    public boolean drum() {
        return channel == DRUM_CHANNEL;
    }

    /** The tick where the note ends. */
    public long end() {
        return tick + duration;
    }

    static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    "note " + name + " must be " + min + " to " + max + ", got " + value);
        }
    }
}

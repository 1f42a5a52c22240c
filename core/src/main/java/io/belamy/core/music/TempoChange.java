package io.belamy.core.music;

/**
 * A tempo change: from {@code tick} on, a quarter note lasts {@code microsPerQuarter} microseconds
 * (500000 = 120 beats per minute).
 */
public record TempoChange(long tick, int microsPerQuarter) {

    public TempoChange {
        if (tick < 0) {
            throw new IllegalArgumentException("tempo tick must be >= 0, got " + tick);
        }
        if (microsPerQuarter < 1 || microsPerQuarter > 0xFFFFFF) {
            throw new IllegalArgumentException(
                    "microseconds per quarter must be 1 to 16777215, got " + microsPerQuarter);
        }
    }

    /** A tempo in beats (quarters) per minute. */
    public static TempoChange ofBpm(long tick, double bpm) {
        if (!(bpm >= 4 && bpm <= 1000)) {
            throw new IllegalArgumentException("tempo must be 4 to 1000 bpm, got " + bpm);
        }
        return new TempoChange(tick, (int) Math.round(60_000_000 / bpm));
    }

    public double bpm() {
        return 60_000_000.0 / microsPerQuarter;
    }
}

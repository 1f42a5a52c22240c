package io.belamy.core.music;

/** A time signature from {@code tick} on, e.g. 3/4: {@code numerator} 3, {@code denominator} 4. */
public record TimeSignature(long tick, int numerator, int denominator) {

    public TimeSignature {
        if (tick < 0) {
            throw new IllegalArgumentException("time signature tick must be >= 0, got " + tick);
        }
        if (numerator < 1 || numerator > 255) {
            throw new IllegalArgumentException(
                    "time signature numerator must be 1 to 255, got " + numerator);
        }
        if (denominator < 1 || denominator > 128 || Integer.bitCount(denominator) != 1) {
            throw new IllegalArgumentException(
                    "time signature denominator must be a power of two up to 128, got "
                            + denominator);
        }
    }

    /** Whether this is 4/4. */
    public boolean isCommonTime() {
        return numerator == 4 && denominator == 4;
    }

    /**
     * Ticks in one bar at {@code ppq} ticks per quarter note (a bar is numerator x 4/denominator
     * quarters).
     */
    public double barTicks(int ppq) {
        return (double) ppq * numerator * 4 / denominator;
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator + "@" + tick;
    }
}

package io.belamy.core.music;

import java.util.Arrays;

/**
 * A multi-track piano roll of a {@link RollSpec}: which pitch sounds on which track at which step.
 * Steps run across bars ({@code step = bar * stepsPerBar + stepInBar}).
 *
 * <p>Shapes: tracks K, steps S (= bars x steps per bar), pitches P. As floats the layout is (K, S,
 * P), 1 where a pitch sounds.
 */
public final class PianoRoll {

    private final RollSpec spec;
    private final boolean[] cells;

    /** An empty roll. */
    public PianoRoll(RollSpec spec) {
        this.spec = spec;
        this.cells = new boolean[spec.size()];
    }

    /**
     * A roll from floats in (K, S, P) layout: a cell sounds where its value exceeds {@code
     * threshold}.
     */
    public static PianoRoll of(RollSpec spec, float[] values, float threshold) {
        if (values.length != spec.size()) {
            throw new IllegalArgumentException(
                    "a "
                            + spec.tracks().size()
                            + " x "
                            + spec.steps()
                            + " x "
                            + spec.pitches()
                            + " roll has "
                            + spec.size()
                            + " cells, got "
                            + values.length
                            + " values");
        }
        PianoRoll roll = new PianoRoll(spec);
        for (int i = 0; i < values.length; i++) {
            roll.cells[i] = values[i] > threshold;
        }
        return roll;
    }

    public RollSpec spec() {
        return spec;
    }

    private int index(int track, int step, int pitch) {
        return (track * spec.steps() + step) * spec.pitches() + pitch;
    }

    /** Whether pitch index {@code pitch} (0 = the spec's lowest pitch) sounds. */
    public boolean get(int track, int step, int pitch) {
        return cells[index(track, step, pitch)];
    }

    void set(int track, int step, int pitch, boolean on) {
        cells[index(track, step, pitch)] = on;
    }

    /** 1 where a pitch sounds, 0 elsewhere, in (K, S, P) layout. */
    public float[] toFloats() {
        float[] out = new float[cells.length];
        for (int i = 0; i < cells.length; i++) {
            out[i] = cells[i] ? 1f : 0f;
        }
        return out;
    }

    /** The cells as bits, in (K, S, P) order (compact for state and the wire). */
    public long[] toBits() {
        long[] bits = new long[(cells.length + 63) / 64];
        for (int i = 0; i < cells.length; i++) {
            if (cells[i]) {
                bits[i >> 6] |= 1L << (i & 63);
            }
        }
        return bits;
    }

    /** A roll from {@link #toBits()}. */
    public static PianoRoll fromBits(RollSpec spec, long[] bits) {
        if (bits.length != (spec.size() + 63) / 64) {
            throw new IllegalArgumentException(
                    "a roll of "
                            + spec.size()
                            + " cells needs "
                            + (spec.size() + 63) / 64
                            + " longs, got "
                            + bits.length);
        }
        PianoRoll roll = new PianoRoll(spec);
        for (int i = 0; i < roll.cells.length; i++) {
            roll.cells[i] = (bits[i >> 6] & (1L << (i & 63))) != 0;
        }
        return roll;
    }

    /** Cells that sound. */
    public int activeCells() {
        int n = 0;
        for (boolean c : cells) {
            n += c ? 1 : 0;
        }
        return n;
    }

    /** Cells that sound on one track. */
    public int activeCells(int track) {
        int n = 0;
        int from = index(track, 0, 0);
        int to = from + spec.steps() * spec.pitches();
        for (int i = from; i < to; i++) {
            n += cells[i] ? 1 : 0;
        }
        return n;
    }

    /** Whether a track has any sounding cell in a bar. */
    public boolean barHasNotes(int track, int bar) {
        int from = index(track, bar * spec.stepsPerBar(), 0);
        int to = from + spec.stepsPerBar() * spec.pitches();
        for (int i = from; i < to; i++) {
            if (cells[i]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PianoRoll r && r.spec.equals(spec) && Arrays.equals(r.cells, cells);
    }

    @Override
    public int hashCode() {
        return spec.hashCode() * 31 + Arrays.hashCode(cells);
    }

    @Override
    public String toString() {
        return "PianoRoll("
                + spec.tracks()
                + ", "
                + spec.bars()
                + " bars, "
                + activeCells()
                + " cells)";
    }
}

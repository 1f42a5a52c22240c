package io.belamy.core.music;

import java.util.ArrayList;
import java.util.List;

/**
 * Between pieces and piano rolls.
 *
 * <p>Slicing rules ({@link #phrases}):
 *
 * <ul>
 *   <li>Rolls are cut from 4/4 only. A piece without time signature is 4/4; bar lines restart at
 *       every time-signature change; bars in other meters are skipped (and counted).
 *   <li>Phrases are consecutive groups of {@code bars} bars from the start of each 4/4 stretch; an
 *       incomplete last group and phrases without a note are dropped.
 *   <li>Tempo changes do not matter: rolls are in musical time (a step is a fixed share of a bar).
 *   <li>A note covers the steps from its rounded onset to its rounded end (at least one step);
 *       notes sounding into a phrase from before it cover its first steps. Drum notes cover only
 *       their onset step (General MIDI drum hits have no meaningful length).
 *   <li>Notes outside the spec's pitch range, or of a family the spec has no track for, are dropped
 *       (and counted).
 * </ul>
 */
public final class PianoRolls {

    private PianoRolls() {}

    /** Phrases cut from a piece, and what did not fit. */
    public record Phrases(List<PianoRoll> rolls, int notesOutOfRange, long barsNotIn44) {
        public Phrases {
            rolls = List.copyOf(rolls);
        }
    }

    /** Cuts a piece into bar-aligned phrases of {@code spec.bars()} bars. */
    public static Phrases phrases(Piece piece, RollSpec spec) {
        List<TimeSignature> signatures = new ArrayList<>(piece.timeSignatures());
        if (signatures.isEmpty() || signatures.get(0).tick() > 0) {
            signatures.add(0, new TimeSignature(0, 4, 4));
        }
        long end = piece.length();
        double barTicks = 4.0 * piece.ppq();
        List<PianoRoll> rolls = new ArrayList<>();
        long otherBars = 0;
        int outOfRange = 0;
        for (Note n : piece.notes()) {
            int track = spec.trackOf(n);
            int p = n.pitch() - spec.lowestPitch();
            if (track >= 0 && (p < 0 || p >= spec.pitches())) {
                outOfRange++;
            }
        }
        for (int i = 0; i < signatures.size(); i++) {
            TimeSignature s = signatures.get(i);
            long from = s.tick();
            long to = i + 1 < signatures.size() ? signatures.get(i + 1).tick() : end;
            if (to <= from) {
                continue;
            }
            if (!s.isCommonTime()) {
                otherBars += (long) Math.ceil((to - from) / s.barTicks(piece.ppq()));
                continue;
            }
            long fullBars = (long) Math.floor((to - from) / barTicks + 1e-9);
            for (long bar = 0; bar + spec.bars() <= fullBars; bar += spec.bars()) {
                double start = from + bar * barTicks;
                PianoRoll roll = slice(piece, spec, start, barTicks);
                if (roll.activeCells() > 0) {
                    rolls.add(roll);
                }
            }
        }
        return new Phrases(rolls, outOfRange, otherBars);
    }

    /** The roll of {@code spec.bars()} bars from tick {@code start}. */
    static PianoRoll slice(Piece piece, RollSpec spec, double start, double barTicks) {
        PianoRoll roll = new PianoRoll(spec);
        double stepTicks = barTicks / spec.stepsPerBar();
        int steps = spec.steps();
        double windowEnd = start + spec.bars() * barTicks;
        for (Note n : piece.notes()) {
            if (n.tick() >= windowEnd) {
                break; // notes are in onset order
            }
            int track = spec.trackOf(n);
            int p = n.pitch() - spec.lowestPitch();
            if (track < 0 || p < 0 || p >= spec.pitches() || n.end() <= start) {
                continue;
            }
            long first = Math.round((n.tick() - start) / stepTicks);
            long last;
            if (n.drum()) {
                if (n.tick() < start) {
                    continue; // a hit before the phrase
                }
                last = first + 1;
            } else {
                last = Math.max(first + 1, Math.round((n.end() - start) / stepTicks));
            }
            for (long step = Math.max(0, first); step < Math.min(steps, last); step++) {
                roll.set(track, (int) step, p, true);
            }
        }
        return roll;
    }

    /**
     * A piece playing a roll: one part per track of the spec, in its order, on its own channel
     * (drums on channel 10) with the family's General MIDI program ({@link RollSpec#program}); each
     * run of sounding steps of a pitch is one note (for drums, every sounding step is a hit).
     *
     * @param bpm tempo
     * @param velocity velocity of every note
     */
    public static Piece toPiece(PianoRoll roll, double bpm, int velocity) {
        RollSpec spec = roll.spec();
        int ppq = 480;
        long stepTicks = 4L * ppq / spec.stepsPerBar();
        List<Note> notes = new ArrayList<>();
        int melodicChannel = 0;
        for (int k = 0; k < spec.tracks().size(); k++) {
            String family = spec.tracks().get(k);
            boolean drums = family.equals(RollSpec.DRUMS);
            int channel;
            if (drums) {
                channel = Note.DRUM_CHANNEL;
            } else {
                channel = melodicChannel == Note.DRUM_CHANNEL ? ++melodicChannel : melodicChannel;
                melodicChannel++;
            }
            int program = RollSpec.program(family);
            for (int p = 0; p < spec.pitches(); p++) {
                int pitch = spec.lowestPitch() + p;
                int step = 0;
                while (step < spec.steps()) {
                    if (!roll.get(k, step, p)) {
                        step++;
                        continue;
                    }
                    int runEnd = step + 1;
                    if (!drums) {
                        while (runEnd < spec.steps() && roll.get(k, runEnd, p)) {
                            runEnd++;
                        }
                    }
                    notes.add(
                            new Note(
                                    step * stepTicks,
                                    (runEnd - step) * stepTicks,
                                    pitch,
                                    velocity,
                                    channel,
                                    program,
                                    k));
                    step = runEnd;
                }
            }
        }
        return new Piece(
                ppq,
                notes,
                List.of(TempoChange.ofBpm(0, bpm)),
                List.of(new TimeSignature(0, 4, 4)),
                spec.steps() * stepTicks);
    }
}

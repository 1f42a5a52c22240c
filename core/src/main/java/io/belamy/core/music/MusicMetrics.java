package io.belamy.core.music;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MuseGAN's objective metrics over piano rolls, per track, pooled over every bar added:
 *
 * <ul>
 *   <li>{@code EB.<track>}: empty-bar rate, bars without a note / bars.
 *   <li>{@code UPC.<track>}: used pitch classes per non-empty bar (0-12); melodic tracks.
 *   <li>{@code QN.<track>}: qualified-note rate, notes of at least 3 steps / notes (a note is a run
 *       of sounding steps of one pitch); melodic tracks.
 *   <li>{@code DP.drums}: drum-pattern rate, drum onsets on the eighth-note grid / drum onsets.
 *       (MuseGAN counts onsets on 8- or 16-beat patterns at 48 or 96 steps per bar; at 16 steps per
 *       bar every onset is on the sixteenth grid, so belamy counts the eighth grid.)
 *   <li>{@code TD.<a>-<b>}: tonal distance between two melodic tracks (Harte et al.'s 6-D tonal
 *       centroids of each bar's chroma), mean over bars where both play.
 *   <li>{@code density.<track>}: sounding cells per step; {@code pitchRange.<track>}: highest minus
 *       lowest sounding pitch per non-empty bar, in semitones.
 * </ul>
 *
 * A metric without data (UPC of a track that never plays) is left out.
 */
public final class MusicMetrics {

    private final RollSpec spec;
    private final long[] bars;
    private final long[] emptyBars;
    private final long[] pitchClasses;
    private final double[] pitchRange;
    private final long[] notes;
    private final long[] qualified;
    private final long[] cells;
    private final long[] steps;
    private long drumOnsets;
    private long drumOnsetsOnGrid;
    private final double[][] tonalDistance;
    private final long[][] tonalBars;

    public MusicMetrics(RollSpec spec) {
        this.spec = spec;
        int k = spec.tracks().size();
        bars = new long[k];
        emptyBars = new long[k];
        pitchClasses = new long[k];
        pitchRange = new double[k];
        notes = new long[k];
        qualified = new long[k];
        cells = new long[k];
        steps = new long[k];
        tonalDistance = new double[k][k];
        tonalBars = new long[k][k];
    }

    /** Metrics of some rolls of one spec. */
    public static Map<String, Double> of(RollSpec spec, List<PianoRoll> rolls) {
        MusicMetrics m = new MusicMetrics(spec);
        rolls.forEach(m::add);
        return m.result();
    }

    /** Adds a roll's bars. */
    public MusicMetrics add(PianoRoll roll) {
        if (!roll.spec().equals(spec)) {
            throw new IllegalArgumentException("roll of " + roll.spec() + ", metrics of " + spec);
        }
        int k = spec.tracks().size();
        int stepsPerBar = spec.stepsPerBar();
        int eighth = Math.max(1, stepsPerBar / 8); // steps per eighth note
        for (int t = 0; t < k; t++) {
            boolean drums = spec.tracks().get(t).equals(RollSpec.DRUMS);
            steps[t] += spec.steps();
            cells[t] += roll.activeCells(t);
            for (int bar = 0; bar < spec.bars(); bar++) {
                bars[t]++;
                if (!roll.barHasNotes(t, bar)) {
                    emptyBars[t]++;
                    continue;
                }
                boolean[] used = new boolean[12];
                int low = Integer.MAX_VALUE;
                int high = Integer.MIN_VALUE;
                for (int s = bar * stepsPerBar; s < (bar + 1) * stepsPerBar; s++) {
                    for (int p = 0; p < spec.pitches(); p++) {
                        if (roll.get(t, s, p)) {
                            used[(spec.lowestPitch() + p) % 12] = true;
                            low = Math.min(low, p);
                            high = Math.max(high, p);
                        }
                    }
                }
                for (boolean u : used) {
                    pitchClasses[t] += u ? 1 : 0;
                }
                pitchRange[t] += high - low;
            }
            // notes: runs of sounding steps per pitch
            for (int p = 0; p < spec.pitches(); p++) {
                int run = 0;
                for (int s = 0; s <= spec.steps(); s++) {
                    boolean on = s < spec.steps() && roll.get(t, s, p);
                    if (on) {
                        if (drums) { // every drum cell is a hit (see PianoRolls)
                            drumOnsets++;
                            if ((s % stepsPerBar) % eighth == 0) {
                                drumOnsetsOnGrid++;
                            }
                        }
                        run++;
                    } else if (run > 0) {
                        notes[t]++;
                        qualified[t] += run >= 3 ? 1 : 0;
                        run = 0;
                    }
                }
            }
        }
        for (int bar = 0; bar < spec.bars(); bar++) {
            double[][] centroids = new double[k][];
            for (int t = 0; t < k; t++) {
                if (!spec.tracks().get(t).equals(RollSpec.DRUMS)) {
                    centroids[t] = tonalCentroid(roll, t, bar);
                }
            }
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    if (centroids[a] != null && centroids[b] != null) {
                        tonalDistance[a][b] += distance(centroids[a], centroids[b]);
                        tonalBars[a][b]++;
                    }
                }
            }
        }
        return this;
    }

    /** The 6-D tonal centroid of a track's chroma in one bar, or null when it is silent. */
    private double[] tonalCentroid(PianoRoll roll, int track, int bar) {
        double[] chroma = new double[12];
        double total = 0;
        int stepsPerBar = spec.stepsPerBar();
        for (int s = bar * stepsPerBar; s < (bar + 1) * stepsPerBar; s++) {
            for (int p = 0; p < spec.pitches(); p++) {
                if (roll.get(track, s, p)) {
                    chroma[(spec.lowestPitch() + p) % 12]++;
                    total++;
                }
            }
        }
        if (total == 0) {
            return null;
        }
        double[] c = new double[6];
        for (int l = 0; l < 12; l++) {
            double w = chroma[l] / total;
            c[0] += w * Math.sin(l * 7 * Math.PI / 6);
            c[1] += w * Math.cos(l * 7 * Math.PI / 6);
            c[2] += w * Math.sin(l * 3 * Math.PI / 2);
            c[3] += w * Math.cos(l * 3 * Math.PI / 2);
            c[4] += w * 0.5 * Math.sin(l * 2 * Math.PI / 3);
            c[5] += w * 0.5 * Math.cos(l * 2 * Math.PI / 3);
        }
        return c;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /** The metrics so far, by name (see the class comment). */
    public Map<String, Double> result() {
        Map<String, Double> out = new LinkedHashMap<>();
        List<String> tracks = spec.tracks();
        for (int t = 0; t < tracks.size(); t++) {
            String name = tracks.get(t);
            boolean drums = name.equals(RollSpec.DRUMS);
            long played = bars[t] - emptyBars[t];
            put(out, "EB." + name, emptyBars[t], bars[t]);
            if (!drums) {
                put(out, "UPC." + name, pitchClasses[t], played);
                put(out, "QN." + name, qualified[t], notes[t]);
            }
            put(out, "density." + name, cells[t], steps[t]);
            put(out, "pitchRange." + name, pitchRange[t], played);
        }
        if (tracks.contains(RollSpec.DRUMS)) {
            put(out, "DP.drums", drumOnsetsOnGrid, drumOnsets);
        }
        for (int a = 0; a < tracks.size(); a++) {
            for (int b = a + 1; b < tracks.size(); b++) {
                put(
                        out,
                        "TD." + tracks.get(a) + "-" + tracks.get(b),
                        tonalDistance[a][b],
                        tonalBars[a][b]);
            }
        }
        return out;
    }

    private static void put(Map<String, Double> out, String name, double sum, double count) {
        if (count > 0) {
            out.put(name, sum / count);
        }
    }
}

package io.belamy.core.music.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MusicMetrics;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.Piece;
import io.belamy.core.music.RollSpec;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Pieces from a {@link MuseGan}: as many phrases as the requested bars need, sharing the
 * whole-phrase latents (one style) with fresh per-bar latents, cut to the bars asked for, with the
 * requested tracks only, as a type-1 Standard MIDI File.
 */
public final class MusicGenerator {

    /** Most bars one request may ask for. */
    public static final int MAX_BARS = 64;

    /**
     * @param bars bars of music, 1 to {@link #MAX_BARS}
     * @param tempo beats per minute
     * @param tracks tracks to keep, from the model's (empty: all)
     * @param seed seed of the latent draw
     */
    public record Request(int bars, double tempo, List<String> tracks, long seed) {
        public Request {
            if (bars < 1 || bars > MAX_BARS) {
                throw new IllegalArgumentException(
                        "bars must be 1 to " + MAX_BARS + ", got " + bars);
            }
            if (!(tempo >= 20 && tempo <= 300)) {
                throw new IllegalArgumentException("tempo must be 20 to 300 bpm, got " + tempo);
            }
            tracks = tracks == null ? List.of() : List.copyOf(tracks);
        }

        /** 4 bars at 120 bpm, every track. */
        public static Request defaults(long seed) {
            return new Request(4, 120, List.of(), seed);
        }
    }

    /**
     * A generated piece.
     *
     * @param midi the Standard MIDI File
     * @param roll the piece's roll (the requested bars and tracks)
     * @param notes notes in the file
     * @param metrics {@link MusicMetrics} of the roll
     */
    public record Result(byte[] midi, PianoRoll roll, int notes, Map<String, Double> metrics) {}

    private MusicGenerator() {}

    /**
     * Generates a piece.
     *
     * @throws IllegalArgumentException naming a track the model does not have
     */
    public static Result generate(MuseGan model, Request request) {
        GanConfig config = model.config();
        List<String> modelTracks = config.roll().tracks();
        List<String> tracks = request.tracks().isEmpty() ? modelTracks : request.tracks();
        for (String t : tracks) {
            if (!modelTracks.contains(t)) {
                throw new IllegalArgumentException(
                        "track \""
                                + t
                                + "\" is not one of the model's: "
                                + String.join(", ", modelTracks));
            }
        }
        if (tracks.stream().distinct().count() != tracks.size()) {
            throw new IllegalArgumentException("tracks repeat: " + tracks);
        }
        int phraseBars = config.roll().bars();
        int phrases = (request.bars() + phraseBars - 1) / phraseBars;
        RollSpec out =
                new RollSpec(
                        request.bars(),
                        config.roll().stepsPerBar(),
                        config.roll().lowestPitch(),
                        config.roll().pitches(),
                        tracks);
        float[] cells = new float[out.size()];
        try (NDManager m = model.manager().newSubManager()) {
            NDList latents = pieceLatents(model, m, phrases, new SplittableRandom(request.seed()));
            float[] p = model.generate(model.weights("generator."), latents).toFloatArray();
            int k = modelTracks.size();
            int phraseSteps = config.roll().steps();
            int pitches = config.roll().pitches();
            for (int t = 0; t < tracks.size(); t++) {
                int source = modelTracks.indexOf(tracks.get(t));
                for (int step = 0; step < out.steps(); step++) {
                    int phrase = step / phraseSteps;
                    int within = step % phraseSteps;
                    int from = ((phrase * k + source) * phraseSteps + within) * pitches;
                    int to = (t * out.steps() + step) * pitches;
                    System.arraycopy(p, from, cells, to, pitches);
                }
            }
        }
        PianoRoll roll = PianoRoll.of(out, cells, 0.5f);
        Piece piece = PianoRolls.toPiece(roll, request.tempo(), 100);
        byte[] midi = MidiCodec.write(piece, tracks);
        return new Result(midi, roll, piece.notes().size(), MusicMetrics.of(out, List.of(roll)));
    }

    /** One style for the whole piece: whole-phrase latents shared, per-bar latents fresh. */
    static NDList pieceLatents(MuseGan model, NDManager m, int phrases, SplittableRandom r) {
        NDList one = model.latents(m, 1, r);
        NDList fresh = model.latents(m, phrases, r);
        NDArray shared = one.get(0).repeat(0, phrases);
        NDArray own = one.get(1).repeat(0, phrases);
        return new NDList(shared, own, fresh.get(2), fresh.get(3));
    }
}

package io.belamy.core.music;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Receiver;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Synthesizer;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;

/**
 * Renders a piece to a WAV file with the JDK's software synthesizer (Gervill) and its built-in
 * General MIDI sounds, faster than real time and without an audio device.
 *
 * <p>Gervill renders into a stream only through {@code AudioSynthesizer.openStream}, which the JDK
 * does not export: the JVM needs {@code --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED}
 * (the {@code belamy} launcher passes it).
 */
public final class AudioRenderer {

    public static final float SAMPLE_RATE = 44_100f;
    private static final double TAIL_SECONDS = 1.5;

    private AudioRenderer() {}

    /**
     * Renders {@code piece} as 16-bit stereo 44.1 kHz WAV.
     *
     * @throws IOException when the synthesizer cannot render (the message says why)
     */
    public static void writeWav(Piece piece, Path wav) throws IOException {
        AudioFormat format = new AudioFormat(SAMPLE_RATE, 16, 2, true, false);
        Synthesizer synth;
        AudioInputStream stream;
        try {
            synth = MidiSystem.getSynthesizer();
            Method open =
                    Class.forName("com.sun.media.sound.AudioSynthesizer")
                            .getMethod("openStream", AudioFormat.class, Map.class);
            stream = (AudioInputStream) open.invoke(synth, format, null);
        } catch (IllegalAccessException e) {
            throw new IOException(
                    "the JDK's synthesizer is not accessible: run Java with --add-exports"
                            + " java.desktop/com.sun.media.sound=ALL-UNNAMED",
                    e);
        } catch (ReflectiveOperationException | javax.sound.midi.MidiUnavailableException e) {
            throw new IOException("the JDK's software synthesizer is not available: " + e, e);
        }
        try {
            Receiver receiver = synth.getReceiver();
            for (long[] e : timedEvents(piece)) {
                receiver.send(
                        new ShortMessage((int) e[1], (int) e[2], (int) e[3], (int) e[4]), e[0]);
            }
            double seconds = piece.seconds() + TAIL_SECONDS;
            long frames = (long) (seconds * SAMPLE_RATE);
            AudioSystem.write(
                    new AudioInputStream(stream, format, frames),
                    AudioFileFormat.Type.WAVE,
                    wav.toFile());
        } catch (javax.sound.midi.InvalidMidiDataException
                | javax.sound.midi.MidiUnavailableException e) {
            throw new IOException("rendering failed: " + e.getMessage(), e);
        } finally {
            stream.close();
            synth.close();
        }
    }

    /** {micros, command, channel, data1, data2}, in time order (program changes, offs, ons). */
    static List<long[]> timedEvents(Piece piece) {
        List<long[]> events = new ArrayList<>();
        int[] program = new int[16];
        java.util.Arrays.fill(program, -1);
        for (Note n : piece.notes()) {
            if (program[n.channel()] != n.program()) {
                program[n.channel()] = n.program();
                events.add(
                        new long[] {
                            n.tick(), 0, ShortMessage.PROGRAM_CHANGE, n.channel(), n.program(), 0
                        });
            }
            events.add(
                    new long[] {
                        n.tick(), 2, ShortMessage.NOTE_ON, n.channel(), n.pitch(), n.velocity()
                    });
            events.add(new long[] {n.end(), 1, ShortMessage.NOTE_OFF, n.channel(), n.pitch(), 0});
        }
        events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
        List<long[]> out = new ArrayList<>(events.size());
        for (long[] e : events) {
            out.add(new long[] {micros(piece, e[0]), e[2], e[3], e[4], e[5]});
        }
        return out;
    }

    /** Microseconds from the start to {@code tick}, following the tempo changes. */
    static long micros(Piece piece, long tick) {
        double micros = 0;
        long at = 0;
        int tempo = Piece.DEFAULT_MICROS_PER_QUARTER;
        for (TempoChange c : piece.tempos()) {
            if (c.tick() >= tick) {
                break;
            }
            micros += (double) (c.tick() - at) * tempo / piece.ppq();
            at = c.tick();
            tempo = c.microsPerQuarter();
        }
        return Math.round(micros + (double) (tick - at) * tempo / piece.ppq());
    }
}

package io.belamy.core.music;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenderTest {

    static final int PPQ = 96; // 24 pixels per quarter: 4 ticks per pixel

    @TempDir Path dir;

    @Test
    void notesAreDrawnInTheirFamilysLaneAtTheirTimeAndPitch() throws IOException {
        Piece piece =
                new Piece(
                        PPQ,
                        List.of(
                                new Note(0, 96, 60, 100, 0, 0, 0), // piano C4, first beat
                                new Note(192, 96, 36, 100, 1, 33, 1)), // bass C2, third beat
                        List.of(TempoChange.ofBpm(0, 120)),
                        List.of(new TimeSignature(0, 4, 4)));
        Path png = dir.resolve("roll.png");
        PianoRollImage.write(piece, png);
        BufferedImage image = ImageIO.read(png.toFile());

        // lanes top to bottom in family order; each lane spans its pitch range plus a margin
        int bassTop = 8;
        int pianoTop = bassTop + 3 * 3 + 8;
        int bassColor = 0x2471A3;
        int pianoColor = 0x7D3C98;
        int bassNoteY = bassTop + 3 + 1; // one semitone below the lane's top
        int pianoNoteY = pianoTop + 3 + 1;
        assertThat(rgb(image, 70 + 48 + 5, bassNoteY)).isEqualTo(bassColor);
        assertThat(rgb(image, 70 + 5, pianoNoteY)).isEqualTo(pianoColor);
        assertThat(rgb(image, 70 + 48 + 5, pianoNoteY)).isNotEqualTo(pianoColor);
        assertThat(rgb(image, 70 + 5, bassNoteY)).isNotEqualTo(bassColor);
        assertThat(image.getWidth()).isEqualTo(70 + 72 + 1); // up to the bass note's end
    }

    @Test
    void audioHasSoundWhereNotesPlayAndSilenceBefore() throws Exception {
        // 120 bpm: a quarter is 0.5 s; one piano chord from 1.0 s to 2.0 s
        Piece piece =
                new Piece(
                        PPQ,
                        List.of(
                                new Note(192, 192, 60, 110, 0, 0, 0),
                                new Note(192, 192, 64, 110, 0, 0, 0)),
                        List.of(TempoChange.ofBpm(0, 120)),
                        List.of(new TimeSignature(0, 4, 4)));
        Path wav = dir.resolve("song.wav");
        AudioRenderer.writeWav(piece, wav);

        try (AudioInputStream in = AudioSystem.getAudioInputStream(wav.toFile())) {
            AudioFormat f = in.getFormat();
            assertThat(f.getSampleRate()).isEqualTo(44_100f);
            assertThat(f.getChannels()).isEqualTo(2);
            assertThat(f.getSampleSizeInBits()).isEqualTo(16);
            assertThat(in.getFrameLength() / 44_100.0).isCloseTo(2.0 + 1.5, within(0.01));
            short[] samples = samples(in.readAllBytes());
            assertThat(rms(samples, 0.1, 0.9)).as("before the chord").isLessThan(10);
            assertThat(rms(samples, 1.1, 1.9)).as("during the chord").isGreaterThan(300);
        }
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xFFFFFF;
    }

    private static short[] samples(byte[] bytes) {
        short[] s = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
        return s;
    }

    /** Root mean square of both channels between two times in seconds. */
    private static double rms(short[] stereo, double from, double to) {
        int a = (int) (from * 44_100) * 2;
        int b = (int) (to * 44_100) * 2;
        double sum = 0;
        for (int i = a; i < b; i++) {
            sum += (double) stereo[i] * stereo[i];
        }
        return Math.sqrt(sum / (b - a));
    }
}

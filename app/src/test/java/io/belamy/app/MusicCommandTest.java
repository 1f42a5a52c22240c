package io.belamy.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.app.GenerateCommandTest.Run;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MusicMetrics;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.Piece;
import io.belamy.core.music.RollSpec;
import io.belamy.core.music.gan.GanConfig;
import io.belamy.core.music.gan.MuseGan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MusicCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BUNDLED = Path.of("..", "data", "midi");

    @TempDir static Path dir;
    static Path model;

    @BeforeAll
    static void saveAnUntrainedModel() throws Exception {
        model = dir.resolve("gan");
        try (MuseGan gan = MuseGan.create(GanConfig.small(), 7)) {
            gan.save(model);
        }
    }

    @Test
    void generateWritesAMidiFileWithTheRequestedBarsTracksAndTempo() throws Exception {
        Path out = dir.resolve("song.mid");
        Run r =
                GenerateCommandTest.run(
                        "music",
                        "generate",
                        "--model",
                        model.toString(),
                        "-o",
                        out.toString(),
                        "--bars",
                        "8",
                        "--tempo",
                        "90",
                        "--tracks",
                        "drums,bass",
                        "--seed",
                        "5");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("8 bars", "2 tracks (drums, bass)", "seed 5");

        Piece piece = MidiCodec.read(out);
        assertThat(piece.tempos().get(0).bpm())
                .isCloseTo(90, org.assertj.core.data.Offset.offset(0.01));
        assertThat(piece.notes()).isNotEmpty();
        assertThat(piece.notes())
                .allSatisfy(n -> assertThat(RollSpec.family(n)).isIn("drums", "bass"));
        assertThat(
                        piece.notes().stream()
                                .mapToLong(n -> n.tick() + n.duration())
                                .max()
                                .orElseThrow())
                .isLessThanOrEqualTo(8L * 4 * piece.ppq());

        Path again = dir.resolve("again.mid");
        GenerateCommandTest.run(
                "music",
                "generate",
                "--model",
                model.toString(),
                "-o",
                again.toString(),
                "--bars",
                "8",
                "--tempo",
                "90",
                "--tracks",
                "drums,bass",
                "--seed",
                "5");
        assertThat(Files.readAllBytes(again))
                .as("same seed, same file")
                .isEqualTo(Files.readAllBytes(out));
    }

    @Test
    void generateRefusesAnUnknownTrackByName() {
        Run r =
                GenerateCommandTest.run(
                        "music",
                        "generate",
                        "--model",
                        model.toString(),
                        "-o",
                        dir.resolve("x.mid").toString(),
                        "--tracks",
                        "banjo");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("banjo");
        assertThat(dir.resolve("x.mid")).doesNotExist();
    }

    @Test
    void evalPrintsTheMetricsOfEachFileAsTheLibraryComputesThem() throws Exception {
        Path a = BUNDLED.resolve("D_E1M1.mid");
        Path b = BUNDLED.resolve("D_INTER.mid");
        Path junk = dir.resolve("junk.mid");
        Files.write(junk, "MThd but not really".getBytes());
        Run r =
                GenerateCommandTest.run(
                        "music", "eval", a.toString(), b.toString(), junk.toString(), "--json");
        assertThat(r.exitCode())
                .as("partial: one file unreadable")
                .isEqualTo(IngestCommand.PARTIAL);
        assertThat(r.err()).contains("junk.mid");

        JsonNode json = JSON.readTree(r.out());
        Map<String, Double> expected = metrics(a);
        JsonNode got = json.get("files").get(a.toString());
        assertThat(got.size()).isEqualTo(expected.size());
        expected.forEach((k, v) -> assertThat(got.get(k).asDouble()).as(k).isEqualTo(v));
        assertThat(expected).containsKeys("EB.drums", "UPC.bass", "QN.bass", "DP.drums");
        assertThat(json.get("files").has(b.toString())).isTrue();
        assertThat(json.get("files").has(junk.toString())).isFalse();
        assertThat(json.get("all").get("EB.drums").asDouble()).isBetween(0.0, 1.0);

        Run table = GenerateCommandTest.run("music", "eval", a.toString());
        assertThat(table.exitCode()).isZero();
        assertThat(table.out()).contains("EB.drums", "D_E1M1.mid");
    }

    @Test
    void renderWritesAPngAndAWav() throws Exception {
        Path in = BUNDLED.resolve("D_INTER.mid");
        Path png = dir.resolve("inter.png");
        Path wav = dir.resolve("inter.wav");
        assertThat(GenerateCommandTest.run("render", in.toString(), png.toString()).exitCode())
                .isZero();
        assertThat(GenerateCommandTest.run("render", in.toString(), wav.toString()).exitCode())
                .isZero();
        assertThat(ImageIO.read(png.toFile()).getWidth()).isGreaterThan(100);
        double seconds = MidiCodec.read(in).seconds();
        try (var audio = AudioSystem.getAudioInputStream(wav.toFile())) {
            assertThat(audio.getFrameLength() / 44_100.0)
                    .isCloseTo(seconds + 1.5, org.assertj.core.data.Offset.offset(0.05));
        }
        Run bad = GenerateCommandTest.run("render", in.toString(), dir.resolve("x.mp3").toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("x.mp3");
    }

    private static Map<String, Double> metrics(Path file) throws Exception {
        RollSpec bars = RollSpec.defaults().withBars(1);
        MusicMetrics m = new MusicMetrics(bars);
        List<PianoRoll> rolls = PianoRolls.phrases(MidiCodec.read(file), bars).rolls();
        rolls.forEach(m::add);
        return m.result();
    }
}

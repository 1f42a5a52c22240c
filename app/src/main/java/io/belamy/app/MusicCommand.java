package io.belamy.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MidiFormatException;
import io.belamy.core.music.MusicMetrics;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.Piece;
import io.belamy.core.music.RollSpec;
import io.belamy.core.music.gan.MuseGan;
import io.belamy.core.music.gan.MusicGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "music",
        mixinStandardHelpOptions = true,
        description = "Generate and evaluate music locally.",
        subcommands = {MusicCommand.Generate.class, MusicCommand.Eval.class})
final class MusicCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "generate",
            mixinStandardHelpOptions = true,
            description =
                    "Generate a piece with a music GAN model directory and write a MIDI file.")
    static final class Generate implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Option(
                names = "--model",
                required = true,
                paramLabel = "DIR",
                description = "Music GAN directory (a model-store version).")
        Path model;

        @Option(
                names = {"-o", "--output"},
                required = true,
                paramLabel = "FILE",
                description = "MIDI file to write.")
        Path output;

        @Option(
                names = "--bars",
                description = "Bars of music, 1 to 64 (default: ${DEFAULT-VALUE}).")
        int bars = 4;

        @Option(names = "--tempo", description = "Beats per minute (default: ${DEFAULT-VALUE}).")
        double tempo = 120;

        @Option(
                names = "--tracks",
                split = ",",
                paramLabel = "TRACK",
                description = "Tracks to keep, e.g. drums,bass (default: all of the model's).")
        List<String> tracks = List.of();

        @Option(
                names = "--seed",
                description = "Seed of the latent draw (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Override
        public Integer call() throws Exception {
            try (MuseGan gan = MuseGan.load(model)) {
                MusicGenerator.Result r =
                        MusicGenerator.generate(
                                gan, new MusicGenerator.Request(bars, tempo, tracks, seed));
                Files.write(output, r.midi());
                spec.commandLine()
                        .getOut()
                        .printf(
                                Locale.ROOT,
                                "wrote %s: %d bars, %d tracks (%s), %d notes, %.0f bpm, seed %d%n",
                                output,
                                bars,
                                r.roll().spec().tracks().size(),
                                String.join(", ", r.roll().spec().tracks()),
                                r.notes(),
                                tempo,
                                seed);
            }
            return 0;
        }
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = {
                "MuseGAN's objective metrics of MIDI files, per track: EB empty-bar rate, UPC used"
                        + " pitch classes per bar, QN qualified-note rate (notes of >= 3 steps), DP"
                        + " drum-pattern rate, TD tonal distance between track pairs; plus note"
                        + " density and pitch range (docs/music.md).",
                "Files are cut into 4/4 bars as for training; each file and all together."
            })
    static final class Eval implements Callable<Integer> {

        private static final ObjectMapper JSON = new ObjectMapper();

        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "MIDI files.")
        List<Path> files;

        @Option(
                names = "--steps-per-bar",
                description = "Time resolution (default: ${DEFAULT-VALUE}, the GAN's).")
        int stepsPerBar = 16;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            RollSpec spec1 = RollSpec.defaults().withBars(1).withStepsPerBar(stepsPerBar);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Map<String, Map<String, Double>> perFile = new LinkedHashMap<>();
            MusicMetrics all = new MusicMetrics(spec1);
            int failed = 0;
            for (Path f : files) {
                Piece piece;
                try {
                    piece = MidiCodec.read(f);
                } catch (MidiFormatException e) {
                    err.println(f + ": " + e.getMessage());
                    failed++;
                    continue;
                } catch (IOException e) {
                    err.println(f + ": cannot read: " + e.getMessage());
                    failed++;
                    continue;
                }
                List<PianoRoll> bars = PianoRolls.phrases(piece, spec1).rolls();
                MusicMetrics m = new MusicMetrics(spec1);
                bars.forEach(m::add);
                bars.forEach(all::add);
                perFile.put(f.toString(), m.result());
            }
            Map<String, Double> total = all.result();
            if (json) {
                ObjectNode root = JSON.createObjectNode();
                root.putPOJO("files", perFile);
                root.putPOJO("all", total);
                out.println(JSON.writeValueAsString(root));
            } else {
                List<String> names = new ArrayList<>(total.keySet());
                out.printf(Locale.ROOT, "%-22s", "metric");
                for (String f : perFile.keySet()) {
                    out.printf(Locale.ROOT, " %12s", shortName(f));
                }
                out.printf(Locale.ROOT, " %12s%n", perFile.size() > 1 ? "all" : "");
                for (String name : names) {
                    out.printf(Locale.ROOT, "%-22s", name);
                    for (Map<String, Double> m : perFile.values()) {
                        Double v = m.get(name);
                        out.printf(
                                Locale.ROOT,
                                " %12s",
                                v == null ? "-" : String.format(Locale.ROOT, "%.3f", v));
                    }
                    out.printf(
                            Locale.ROOT,
                            " %12s%n",
                            perFile.size() > 1
                                    ? String.format(Locale.ROOT, "%.3f", total.get(name))
                                    : "");
                }
            }
            return failed > 0 ? IngestCommand.PARTIAL : 0;
        }

        private static String shortName(String path) {
            String name = Path.of(path).getFileName().toString();
            return name.length() > 12 ? name.substring(0, 12) : name;
        }
    }
}

package io.belamy.app;

import io.belamy.core.music.AudioRenderer;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.PianoRollImage;
import io.belamy.core.music.Piece;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "render",
        mixinStandardHelpOptions = true,
        description = {
            "Look at or listen to a MIDI file: OUT.png draws the multi-track piano roll, OUT.wav"
                    + " renders audio with the JDK's software synthesizer (General MIDI sounds,"
                    + " no audio device needed)."
        })
final class RenderCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.mid", description = "A Standard MIDI File.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "OUT.png or OUT.wav.")
    Path output;

    @Override
    public Integer call() throws Exception {
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean png = name.endsWith(".png");
        if (!png && !name.endsWith(".wav")) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "OUT must end in .png or .wav, got " + output);
        }
        Piece piece = MidiCodec.read(input);
        long start = System.nanoTime();
        if (png) {
            PianoRollImage.write(piece, output);
        } else {
            AudioRenderer.writeWav(piece, output);
        }
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "wrote %s (%d notes, %.1f s of music) in %.1f s%n",
                        output,
                        piece.notes().size(),
                        piece.seconds(),
                        (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

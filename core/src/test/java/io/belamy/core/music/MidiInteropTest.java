package io.belamy.core.music;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files belamy writes are read by an independent parser, Debian's python3-mido (installed by
 * .ci/run), into the same notes, tempo changes and time signatures.
 */
class MidiInteropTest {

    @TempDir Path dir;

    @Test
    void midoReadsTheSameMusicFromEveryWrittenFile() throws Exception {
        Path script = dir.resolve("midi_notes.py");
        try (InputStream in = getClass().getResourceAsStream("/music/midi_notes.py")) {
            Files.copy(in, script);
        }
        for (Path source : Fixtures.midiFiles()) {
            Piece piece = MidiCodec.read(source);
            Path written = dir.resolve(source.getFileName());
            Files.write(written, MidiCodec.write(piece));

            JsonNode mido = mido(script, written);

            String id = source.getFileName().toString();
            assertThat(mido.get("ppq").asInt()).as(id).isEqualTo(piece.ppq());
            assertThat(mido.get("tracks").asInt()).as(id).isEqualTo(piece.parts() + 1);
            List<List<Long>> expected = new ArrayList<>();
            for (Note n : piece.notes()) {
                expected.add(
                        List.of(
                                n.tick(),
                                n.duration(),
                                (long) n.pitch(),
                                (long) n.velocity(),
                                (long) n.channel(),
                                (long) n.program(),
                                (long) n.part() + 1)); // track 0 is the conductor
            }
            expected.sort(MidiInteropTest::compare);
            assertThat(longs(mido.get("notes"))).as(id).isEqualTo(expected);
            List<List<Long>> tempos = new ArrayList<>();
            piece.tempos().forEach(t -> tempos.add(List.of(t.tick(), (long) t.microsPerQuarter())));
            assertThat(longs(mido.get("tempos"))).as(id).isEqualTo(tempos);
            List<List<Long>> signatures = new ArrayList<>();
            piece.timeSignatures()
                    .forEach(
                            s ->
                                    signatures.add(
                                            List.of(
                                                    s.tick(),
                                                    (long) s.numerator(),
                                                    (long) s.denominator())));
            assertThat(longs(mido.get("timeSignatures"))).as(id).isEqualTo(signatures);
        }
    }

    private static JsonNode mido(Path script, Path file) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder("/usr/bin/python3", script.toString(), file.toString())
                        .redirectErrorStream(true)
                        .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mido did not finish in 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(
                    "mido failed (python3-mido is needed: apt-get install python3-mido): " + text);
        }
        return new ObjectMapper().readTree(text);
    }

    private static List<List<Long>> longs(JsonNode rows) {
        List<List<Long>> out = new ArrayList<>();
        for (JsonNode row : rows) {
            List<Long> r = new ArrayList<>();
            row.forEach(v -> r.add(v.asLong()));
            out.add(r);
        }
        return out;
    }

    private static int compare(List<Long> a, List<Long> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = Long.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}

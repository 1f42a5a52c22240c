package io.belamy.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextIngestTest {

    @TempDir Path dir;

    @Test
    void utf8ErrorsReportTheirFirstByteOffset() {
        byte[] bytes = {
            'a', 'b', (byte) 0xC3, (byte) 0xA9, 'c', (byte) 0xFF, 'd', (byte) 0xE2, (byte) 0x82
        };
        Utf8.Decoded d = Utf8.decode(bytes);
        assertThat(d.firstBadOffset()).isEqualTo(5);
        assertThat(d.badSequences()).isEqualTo(2);
        assertThat(d.text()).isEqualTo("abéc\uFFFDd\uFFFD");
        Utf8.Decoded ok = Utf8.decode("fine — ok".getBytes(UTF_8));
        assertThat(ok.firstBadOffset()).isEqualTo(-1);
        assertThat(ok.text()).isEqualTo("fine — ok");
    }

    @Test
    void directoriesGiveRelativeDocumentIdsAndSkipHiddenFiles() throws IOException {
        Path corpus = Files.createDirectories(dir.resolve("austen"));
        Files.writeString(corpus.resolve("emma.txt"), "Emma");
        Files.createDirectories(corpus.resolve("more"));
        Files.writeString(corpus.resolve("more/persuasion.txt.gz"), "x");
        Files.writeString(corpus.resolve(".notes.txt"), "hidden");
        Path single = Files.writeString(dir.resolve("single.txt"), "s");
        List<TextIngest.FileResult> problems = new ArrayList<>();
        List<TextIngest.Source> sources =
                TextIngest.expand(List.of(corpus, single, dir.resolve("missing")), problems);
        assertThat(sources)
                .extracting(TextIngest.Source::document)
                .containsExactly("austen/emma.txt", "austen/more/persuasion.txt", "single.txt");
        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.status()).isEqualTo(TextIngest.Status.UNREADABLE);
                            assertThat(p.message()).contains("no such file");
                        });
        assertThatThrownBy(() -> TextIngest.expand(List.of(single, single), new ArrayList<>()))
                .hasMessageContaining("would both be document \"single.txt\"");
    }

    @Test
    void gzipFilesAreDecompressedAndCorruptOnesReported() throws IOException {
        Path gz = dir.resolve("a.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write("compressed text".getBytes(UTF_8));
        }
        assertThat(new String(TextIngest.read(gz), UTF_8)).isEqualTo("compressed text");
        byte[] bytes = Files.readAllBytes(gz);
        Path broken = Files.write(dir.resolve("b.txt.gz"), java.util.Arrays.copyOf(bytes, 12));
        assertThatThrownBy(() -> TextIngest.read(broken)).hasMessageContaining("corrupt gzip data");
    }

    @Test
    void hashesAreStableHex() {
        assertThat(Ledger.sha256("abc".getBytes(UTF_8)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(TextIngest.BadBytes.parse("replace")).isEqualTo(TextIngest.BadBytes.REPLACE);
        assertThatThrownBy(() -> TextIngest.BadBytes.parse("ignore"))
                .hasMessage("--on-bad-bytes \"ignore\" is not one of: skip-file, replace");
    }

    @Test
    void progressShowsBytesFilesAndRate() {
        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        Progress p =
                new Progress(
                        new java.io.PrintWriter(
                                new java.io.OutputStreamWriter(buffer, UTF_8), true),
                        false,
                        2_000_000,
                        4,
                        "files");
        p.addBytes(1_000_000);
        p.fileDone();
        p.finish();
        String out = buffer.toString(UTF_8);
        assertThat(out).contains("[##########..........]  50%  1.0 MB/2.0 MB  1/4 files");
        assertThat(Progress.size(999)).isEqualTo("999 B");
        assertThat(Progress.size(1_500_000_000L)).isEqualTo("1.5 GB");
    }
}

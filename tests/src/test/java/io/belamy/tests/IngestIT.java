package io.belamy.tests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.Main;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.topic.CorpusIndexRecord;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code belamy ingest text} against a real broker: chunks, .gz, bad bytes, re-ingest. */
class IngestIT {

    @TempDir Path work;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return new Run(cli.execute(args), out.toString(), err.toString());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void filesGoInOnceWholeAndBadBytesFollowThePolicy() throws Exception {
        Path docs = Files.createDirectories(work.resolve("docs"));
        String emma =
                Files.readString(TrainTextJobIT.DATA.resolve("austen/persuasion.txt"))
                        .substring(0, 150_000);
        Files.writeString(docs.resolve("long.txt"), emma);
        try (OutputStream out =
                new GZIPOutputStream(Files.newOutputStream(docs.resolve("short.txt.gz")))) {
            out.write("A short note, compressed.\n".getBytes(UTF_8));
        }
        byte[] bad = "Good start, then".getBytes(UTF_8);
        byte[] badFile = new byte[bad.length + 3];
        System.arraycopy(bad, 0, badFile, 0, bad.length);
        badFile[bad.length] = (byte) 0xFF; // invalid at offset 16
        badFile[bad.length + 1] = 'o';
        badFile[bad.length + 2] = 'k';
        Files.write(docs.resolve("bad.txt"), badFile);
        Files.writeString(docs.resolve("empty.txt"), "");

        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("runtime"))) {
            String b = runtime.kafka().bootstrapServers();
            Run first =
                    cli("ingest", "text", docs.toString(), "--corpus", "notes", "--bootstrap", b);
            assertThat(first.code()).as(first.err()).isEqualTo(4); // partial: bad.txt skipped
            assertThat(first.err())
                    .contains("bad.txt: invalid UTF-8 at byte offset 16")
                    .contains("--on-bad-bytes replace");
            assertThat(first.err()).contains("empty.txt: empty file; skipped");
            assertThat(first.out())
                    .contains("ingested 2 files")
                    .contains("1 empty, 1 invalid UTF-8");

            Run again =
                    cli(
                            "ingest",
                            "text",
                            docs.toString(),
                            "--corpus",
                            "notes",
                            "--bootstrap",
                            b,
                            "--on-bad-bytes",
                            "replace");
            assertThat(again.code()).as(again.err()).isZero();
            assertThat(again.err()).contains("long.txt: already in corpus notes");
            assertThat(again.out())
                    .contains("ingested 1 files")
                    .contains("skipped: 2 already ingested");

            Run otherCorpus =
                    cli(
                            "ingest",
                            "text",
                            docs.resolve("long.txt").toString(),
                            "--corpus",
                            "other",
                            "--bootstrap",
                            b);
            assertThat(otherCorpus.out()).contains("ingested 1 files");
            Run forced =
                    cli(
                            "ingest",
                            "text",
                            docs.resolve("long.txt").toString(),
                            "--corpus",
                            "other",
                            "--bootstrap",
                            b,
                            "--force");
            assertThat(forced.out()).contains("ingested 1 files");

            // What landed on the topic: each document whole, in order, chunks within 64 KiB.
            List<ConsumerRecord<String, byte[]>> records =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            runtime.topics().corpusText().name(),
                            true,
                            Duration.ofSeconds(30),
                            r -> r.size() >= 10);
            Map<String, List<CorpusChunk>> byDocument = new TreeMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                CorpusChunk c = CorpusChunk.CODEC.decode(r.value());
                assertThat(r.key()).isEqualTo(c.document());
                assertThat(c.text().getBytes(UTF_8).length)
                        .isLessThanOrEqualTo(CorpusChunk.MAX_TEXT_BYTES);
                byDocument
                        .computeIfAbsent(
                                c.corpus() + ":" + c.document(), k -> new java.util.ArrayList<>())
                        .add(c);
            }
            String longText =
                    byDocument.get("notes:docs/long.txt").stream()
                            .map(CorpusChunk::text)
                            .collect(Collectors.joining());
            assertThat(longText).isEqualTo(emma);
            List<CorpusChunk> longChunks = byDocument.get("notes:docs/long.txt");
            assertThat(longChunks.get(longChunks.size() - 1).last()).isTrue();
            assertThat(byDocument.get("notes:docs/short.txt").get(0).text())
                    .isEqualTo("A short note, compressed.\n");
            assertThat(byDocument.get("notes:docs/bad.txt").get(0).text())
                    .isEqualTo("Good start, then\uFFFDok");
            assertThat(byDocument.get("other:long.txt"))
                    .hasSize(2 * longChunks.size()); // sent twice with --force

            List<ConsumerRecord<String, byte[]>> index =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            runtime.topics().corpusIndex().name(),
                            true,
                            Duration.ofSeconds(30),
                            r -> r.size() >= 5);
            assertThat(index)
                    .extracting(r -> CorpusIndexRecord.CODEC.decode(r.value()).document())
                    .containsExactlyInAnyOrder(
                            "docs/long.txt",
                            "docs/short.txt",
                            "docs/bad.txt",
                            "long.txt",
                            "long.txt");
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void manySmallFilesShareTransactionsAndEachLandsWholeOnce() throws Exception {
        // more files than one transaction takes (64), and one file twice under two names
        Path docs = Files.createDirectories(work.resolve("many"));
        int files = 70;
        for (int i = 0; i < files; i++) {
            Files.writeString(
                    docs.resolve(String.format("note-%02d.txt", i)),
                    ("Note " + i + ".\n\n").repeat(20 + i));
        }
        Files.copy(docs.resolve("note-07.txt"), docs.resolve("zz-copy-of-07.txt"));
        try (EmbeddedRuntime runtime = Runtimes.start(work.resolve("runtime"))) {
            String b = runtime.kafka().bootstrapServers();
            Run run = cli("ingest", "text", docs.toString(), "--corpus", "many", "--bootstrap", b);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out())
                    .contains("ingested " + files + " files")
                    .contains("1 already ingested");
            assertThat(run.err()).contains("zz-copy-of-07.txt: already in corpus many");

            List<ConsumerRecord<String, byte[]>> index =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            runtime.topics().corpusIndex().name(),
                            true,
                            Duration.ofSeconds(30),
                            r -> r.size() >= files);
            assertThat(index).hasSize(files);
            List<ConsumerRecord<String, byte[]>> records =
                    KafkaRecords.readUntil(
                            runtime.kafka(),
                            runtime.topics().corpusText().name(),
                            true,
                            Duration.ofSeconds(30),
                            r -> r.size() >= files);
            Map<String, String> text = new TreeMap<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                CorpusChunk c = CorpusChunk.CODEC.decode(r.value());
                text.merge(c.document(), c.text(), String::concat);
            }
            assertThat(text).hasSize(files);
            for (int i = 0; i < files; i++) {
                assertThat(text.get(String.format("many/note-%02d.txt", i)))
                        .isEqualTo(("Note " + i + ".\n\n").repeat(20 + i));
            }
        }
    }
}

package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.Main;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.app.runtime.JavaOptions;
import io.belamy.core.testing.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code belamy serve} as its own process: it announces readiness, answers {@code belamy prompt},
 * stops cleanly on SIGTERM, and a restart on the same work directory keeps the topics and the job's
 * committed offsets.
 */
class ServeProcessIT {

    @TempDir Path work;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void serveAnswersPromptsStopsOnSigtermAndRestartsWithItsState() throws Exception {
        Path model = Fixtures.dir(Fixtures.GPT2_TINY);
        List<String> cmd =
                JavaOptions.javaCommand(
                        System.getProperty("java.class.path"),
                        Main.class.getName(),
                        List.of(
                                "serve",
                                "--model",
                                model.toString(),
                                "--work-dir",
                                work.toString(),
                                "--checkpoint-interval",
                                "1s"));
        Process serve =
                new ProcessBuilder(cmd).redirectError(work.resolve("serve.err").toFile()).start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8));
            String ready = out.readLine();
            assertThat(ready)
                    .as(() -> log())
                    .isNotNull()
                    .startsWith("ready: bootstrap=127.0.0.1:")
                    .endsWith(" prompts=belamy.prompts");
            String bootstrap = ready.substring("ready: bootstrap=".length(), ready.indexOf(' ', 7));

            // belamy prompt finds the runtime through the work directory
            CommandLine prompt = Main.commandLine();
            StringWriter text = new StringWriter();
            StringWriter err = new StringWriter();
            prompt.setOut(new PrintWriter(text, true));
            prompt.setErr(new PrintWriter(err, true));
            int code =
                    prompt.execute(
                            "prompt",
                            "It is a truth universally acknowledged",
                            "--work-dir",
                            work.toString(),
                            "--temperature",
                            "0",
                            "--max-tokens",
                            "10",
                            "--id",
                            "first");
            assertThat(code).as(err.toString()).isZero();
            assertThat(text.toString()).isNotBlank();
            assertThat(err.toString()).contains("first: 10 new tokens, finish: length");

            // belamy listen prints every reply record, one line each
            CommandLine listen = Main.commandLine();
            StringWriter lines = new StringWriter();
            listen.setOut(new PrintWriter(lines, true));
            listen.setErr(new PrintWriter(new StringWriter(), true));
            assertThat(
                            listen.execute(
                                    "listen",
                                    "--work-dir",
                                    work.toString(),
                                    "--from-beginning",
                                    "--limit",
                                    "11"))
                    .isZero();
            List<String> printed = lines.toString().lines().toList();
            assertThat(printed).hasSize(11);
            assertThat(printed.get(0)).startsWith("first #0 \"");
            assertThat(printed.get(10)).startsWith("first done: length, 10 tokens, gpt2-tiny v0");

            TopicPartition prompts = new TopicPartition("belamy.prompts", 0);
            awaitCommitted(bootstrap, prompts, 1);

            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(90, TimeUnit.SECONDS)).as("serve stops on SIGTERM").isTrue();
            assertThat(work.resolve("runtime.json")).doesNotExist();
        } finally {
            serve.destroyForcibly();
        }

        // Restart on the same work directory: topics and the job's committed offset are still
        // there.
        try (EmbeddedRuntime again = Runtimes.start(work);
                Admin admin = Admin.create(again.kafka().clientConfig())) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(topics).containsAll(again.topics().names());
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("belamy-generate")
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            assertThat(committed.get(new TopicPartition("belamy.prompts", 0)).offset())
                    .isEqualTo(1);
            long end =
                    admin.listOffsets(
                                    Map.of(
                                            new TopicPartition("belamy.generated.text", 0),
                                            OffsetSpec.latest()))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .values()
                            .iterator()
                            .next()
                            .offset();
            assertThat(end).as("11 reply records (10 chunks + final) survived").isEqualTo(11);
        }
    }

    private static void awaitCommitted(String bootstrap, TopicPartition tp, long offset)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                OffsetAndMetadata m =
                        admin.listConsumerGroupOffsets("belamy-generate")
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS)
                                .get(tp);
                if (m != null && m.offset() >= offset) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("offset " + offset + " of " + tp + " never committed");
        }
    }

    private String log() {
        try {
            return Files.readString(work.resolve("serve.err"));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}

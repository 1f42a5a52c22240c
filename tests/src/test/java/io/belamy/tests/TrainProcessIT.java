package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.Main;
import io.belamy.app.runtime.JavaOptions;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.tests.fs.MappedFileSystem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code belamy train text} as its own process, with its model store on a file system only Flink's
 * API reaches: {@code belamy ingest text} joins its runtime through the work directory, versions
 * appear in the store and on the models topic, and SIGTERM stops it.
 */
class TrainProcessIT {

    static final Path DATA = Path.of(System.getProperty("belamy.home", "..")).resolve("data/text");

    @TempDir Path work;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void trainTextPublishesVersionsToARemoteStoreAndStopsOnSigterm() throws Exception {
        Path remote = work.resolve("remote");
        List<String> cmd =
                new ArrayList<>(
                        JavaOptions.javaCommand(
                                System.getProperty("java.class.path"),
                                Main.class.getName(),
                                List.of(
                                        "train",
                                        "text",
                                        "--model",
                                        "cli-gpt",
                                        "--preset",
                                        "tiny",
                                        "--model-store",
                                        MappedFileSystem.SCHEME + "://bucket/store",
                                        "--steps-per-version",
                                        "3",
                                        "--batch-size",
                                        "8",
                                        "--sequence-length",
                                        "64",
                                        "--checkpoint-interval",
                                        "1s",
                                        "--work-dir",
                                        work.resolve("rt").toString())));
        cmd.add(1, "-D" + MappedFileSystem.ROOT_PROPERTY + "=" + remote);
        Process train =
                new ProcessBuilder(cmd).redirectError(work.resolve("train.err").toFile()).start();
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(train.getInputStream(), StandardCharsets.UTF_8));
            String started = out.readLine();
            assertThat(started)
                    .as(this::log)
                    .isNotNull()
                    .startsWith(
                            "training: model=cli-gpt corpus=belamy.corpus.text"
                                    + " versions=belamytest://bucket/store/cli-gpt bootstrap=");
            String bootstrap = started.substring(started.indexOf("bootstrap=") + 10);

            CommandLine ingest = Main.commandLine();
            StringWriter err = new StringWriter();
            ingest.setOut(new PrintWriter(new StringWriter(), true));
            ingest.setErr(new PrintWriter(err, true));
            int code =
                    ingest.execute(
                            "ingest",
                            "text",
                            DATA.resolve("sotu/1790_george_washington.txt").toString(),
                            DATA.resolve("sotu/1791_george_washington.txt").toString(),
                            "--work-dir",
                            work.resolve("rt").toString());
            assertThat(code).as(err::toString).isZero();

            ModelVersionRecord v1 =
                    ModelVersionRecord.CODEC.decode(
                            KafkaRecords.readUntil(
                                            KafkaSettings.of(bootstrap),
                                            "belamy.models",
                                            true,
                                            Duration.ofMinutes(3),
                                            r -> !r.isEmpty())
                                    .get(0)
                                    .value());
            assertThat(v1.name()).isEqualTo("cli-gpt");
            assertThat(v1.uri()).isEqualTo("belamytest://bucket/store/cli-gpt/v1");
            assertThat(v1.counters().get("steps")).isEqualTo(3);
            assertThat(remote.resolve("bucket/store/cli-gpt/v1/model.safetensors")).isRegularFile();
            assertThat(remote.resolve("bucket/store/cli-gpt/v1/config.json")).isRegularFile();

            train.destroy(); // SIGTERM
            assertThat(train.waitFor(90, TimeUnit.SECONDS)).as("train stops on SIGTERM").isTrue();
            assertThat(work.resolve("rt").resolve("runtime.json")).doesNotExist();
        } finally {
            train.destroyForcibly();
        }
    }

    private String log() {
        try {
            return Files.readString(work.resolve("train.err"));
        } catch (Exception e) {
            return "(no log)";
        }
    }
}

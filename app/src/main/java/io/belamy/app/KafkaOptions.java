package io.belamy.app;

import io.belamy.app.runtime.RuntimeInfo;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where Kafka is and how belamy's topics are named; shared by the commands that use Kafka. */
final class KafkaOptions {

    static final Path DEFAULT_WORK_DIR = Path.of(".belamy");

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "Kafka bootstrap servers. Default: the runtime started by 'belamy serve' in the"
                            + " work directory.")
    String bootstrap;

    @Option(
            names = "--kafka-config",
            paramLabel = "FILE",
            description = "Java properties file with Kafka client settings (SASL, SSL ...).")
    Path kafkaConfig;

    @Option(
            names = "--topic-prefix",
            paramLabel = "PREFIX",
            description =
                    "Prefix of every topic name (default: the running runtime's, else "
                            + Topics.DEFAULT_PREFIX
                            + ").")
    String topicPrefix;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Work directory of the embedded runtime (default: ${DEFAULT-VALUE}).")
    Path workDir = DEFAULT_WORK_DIR;

    /** The runtime running in the work directory, if any. */
    Optional<RuntimeInfo> runtime() throws IOException {
        return RuntimeInfo.read(workDir);
    }

    /**
     * Kafka settings: {@code --bootstrap}, else the running runtime's broker.
     *
     * @throws IllegalArgumentException when neither exists
     */
    KafkaSettings kafka() throws IOException {
        String servers = bootstrap;
        if (servers == null) {
            servers =
                    runtime()
                            .map(RuntimeInfo::bootstrap)
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "no --bootstrap given and no 'belamy serve' is running with work"
                                                            + " directory "
                                                            + workDir.toAbsolutePath()
                                                            + " (start one, or pass --bootstrap HOST:PORT)"));
        }
        return KafkaSettings.of(servers, kafkaConfig);
    }

    /**
     * Starts the embedded runtime for a long-running command: with its own broker when no Kafka is
     * given and none runs in the work directory; otherwise on that Kafka, with Flink's data in
     * {@code <work-dir>/jobs/<job>}.
     */
    io.belamy.app.runtime.EmbeddedRuntime startRuntime(
            String job, int kafkaPort, int slots, PrintWriter err) throws Exception {
        return startRuntime(job, kafkaPort, slots, 0, err);
    }

    /** As {@link #startRuntime(String, int, int, PrintWriter)}, with a Prometheus endpoint. */
    io.belamy.app.runtime.EmbeddedRuntime startRuntime(
            String job, int kafkaPort, int slots, int prometheusPort, PrintWriter err)
            throws Exception {
        Topics topics = topics();
        KafkaSettings external = null;
        Path dir = workDir;
        if (bootstrap != null) {
            external = KafkaSettings.of(bootstrap, kafkaConfig);
        } else {
            Optional<RuntimeInfo> running = runtime();
            if (running.isPresent()) {
                external = KafkaSettings.of(running.get().bootstrap(), kafkaConfig);
                err.println(
                        "using the Kafka of the belamy runtime running in "
                                + workDir.toAbsolutePath()
                                + ": "
                                + running.get().bootstrap());
            }
        }
        if (external != null) {
            dir = workDir.resolve("jobs").resolve(job);
            err.println(
                    "starting Flink for "
                            + job
                            + " in "
                            + dir.toAbsolutePath()
                            + "; Kafka at "
                            + external.bootstrapServers()
                            + " ...");
        } else {
            err.println(
                    "starting the embedded runtime (Kafka + Flink) in "
                            + workDir.toAbsolutePath()
                            + " ...");
        }
        return io.belamy.app.runtime.EmbeddedRuntime.start(
                new io.belamy.app.runtime.EmbeddedRuntime.Options(
                        dir, kafkaPort, external, topics, slots, prometheusPort));
    }

    /** Topic names: {@code --topic-prefix}, else the running runtime's, else the default. */
    Topics topics() throws IOException {
        if (topicPrefix != null) {
            return new Topics(topicPrefix);
        }
        if (bootstrap == null) {
            Optional<RuntimeInfo> info = runtime();
            if (info.isPresent()) {
                return new Topics(info.get().topicPrefix());
            }
        }
        return Topics.defaults();
    }
}

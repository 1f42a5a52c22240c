package io.belamy.app;

import io.belamy.app.runtime.RuntimeInfo;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.KafkaSettings;
import java.io.IOException;
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

package io.belamy.streaming;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;

/** Configuration keys every belamy job shares. */
public final class CommonKeys {

    private CommonKeys() {}

    public static final ConfigKey<String> BOOTSTRAP_SERVERS =
            ConfigKey.string(
                    "bootstrap.servers",
                    "Kafka bootstrap servers.",
                    null,
                    "host:port[,host:port...]");

    public static final ConfigKey<String> TOPIC_PREFIX =
            new ConfigKey<>(
                    "topic.prefix",
                    "Prefix of every topic name.",
                    Topics.DEFAULT_PREFIX,
                    "letters, digits, '.', '_', '-'",
                    p -> new Topics(p).prefix());

    public static final ConfigKey<Path> KAFKA_PROPERTIES =
            new ConfigKey<>(
                    "kafka.properties",
                    "Java properties file with Kafka client settings (SASL, SSL ...) for every client.",
                    Path.of(""),
                    "a file system path",
                    Path::of);

    public static final ConfigKey<Duration> CHECKPOINT_INTERVAL =
            ConfigKey.duration(
                    "checkpoint.interval",
                    "How often the job checkpoints; Kafka offsets are committed and at-least-once output flushed on checkpoints.",
                    Duration.ofSeconds(5));

    public static final ConfigKey<Integer> PARALLELISM =
            ConfigKey.integer("parallelism", "Parallelism of the job's operators.", 1, 1, 1024);

    /** The Kafka settings these arguments give. */
    public static KafkaSettings kafka(JobArgs args) throws java.io.IOException {
        Path file = args.get(KAFKA_PROPERTIES);
        return KafkaSettings.of(
                args.get(BOOTSTRAP_SERVERS), file.toString().isEmpty() ? null : file);
    }
}

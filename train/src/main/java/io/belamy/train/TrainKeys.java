package io.belamy.train;

import io.belamy.core.store.ModelStore;
import io.belamy.streaming.ConfigKey;
import java.time.Duration;

/** Configuration keys both training jobs take, defined once. */
final class TrainKeys {

    private TrainKeys() {}

    static final ConfigKey<String> MODEL_NAME =
            new ConfigKey<>(
                    "model.name",
                    "Name of the model in the store and on the models topic.",
                    null,
                    "letters, digits, '.', '_', '-'",
                    ModelStore::checkName);

    static final ConfigKey<String> MODEL_STORE =
            ConfigKey.string(
                    "model.store",
                    "Model store root: versions go to <store>/<name>/v<N>.",
                    null,
                    "a path, or a Flink FileSystem URI (file://, s3://, hdfs:// ...)");

    static final ConfigKey<Duration> VERSION_INTERVAL =
            ConfigKey.duration(
                    "version.interval",
                    "... or after this long, if steps were taken since the last version.",
                    Duration.ofMinutes(10));

    static final ConfigKey<Long> INLINE_STATE =
            ConfigKey.longKey(
                    "state.inline.max",
                    "Training state up to this many bytes lives in Flink state; larger goes to the store.",
                    64L << 20,
                    0,
                    Long.MAX_VALUE);

    static final ConfigKey<String> GROUP_ID =
            new ConfigKey<>(
                    "group.id",
                    "Kafka consumer group (default: belamy-train-<model.name>).",
                    "",
                    "a group id",
                    s -> s);
}

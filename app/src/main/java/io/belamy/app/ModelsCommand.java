package io.belamy.app;

import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "Show the models on <prefix>models: 'list' (the default) or 'show NAME'.")
final class ModelsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "ACTION",
            description = "list or show (default: list).")
    String action = "list";

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "NAME",
            description = "Model name, for show.")
    String name;

    @Mixin KafkaOptions kafkaOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, ModelVersionRecord> latest = read(kafkaOptions);
        switch (action) {
            case "list" -> {
                if (latest.isEmpty()) {
                    out.println("no models on " + kafkaOptions.topics().models().name());
                    return 0;
                }
                out.printf(
                        "%-20s %7s %-8s %8s %16s %8s %9s  %s%n",
                        "NAME",
                        "VERSION",
                        "KIND",
                        "STEPS",
                        "TRAINED ON",
                        "LOSS",
                        "HELD-OUT",
                        "CREATED");
                for (ModelVersionRecord r : latest.values()) {
                    out.printf(
                            Locale.ROOT,
                            "%-20s %7d %-8s %8d %16s %8s %9s  %s%n",
                            r.name(),
                            r.version(),
                            r.kind(),
                            r.counters().getOrDefault("steps", 0L),
                            r.counters().containsKey("phrasesSeen")
                                    ? r.counters().get("phrasesSeen") + " phrases"
                                    : r.counters().getOrDefault("tokensTrained", 0L) + " tokens",
                            r.metrics().containsKey("criticLoss")
                                    ? metric(r, "criticLoss")
                                    : metric(r, "loss"),
                            metric(r, "heldOutLoss"),
                            Instant.ofEpochMilli(r.createdAt()));
                }
            }
            case "show" -> {
                if (name == null) {
                    throw new IllegalArgumentException("models show needs a model NAME");
                }
                ModelVersionRecord r = latest.get(name);
                if (r == null) {
                    throw new IllegalArgumentException(
                            "no model \""
                                    + name
                                    + "\" on "
                                    + kafkaOptions.topics().models().name()
                                    + " (models: "
                                    + String.join(", ", latest.keySet())
                                    + ")");
                }
                out.println(ModelVersionRecord.CODEC.toJson(r));
            }
            default ->
                    throw new IllegalArgumentException(
                            "unknown action \"" + action + "\" (list, show)");
        }
        return 0;
    }

    private static String metric(ModelVersionRecord r, String key) {
        Double v = r.metrics().get(key);
        return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** The latest version of each model, reading the (compacted) topic to its end. */
    static Map<String, ModelVersionRecord> read(KafkaOptions kafkaOptions) throws Exception {
        Topics topics = kafkaOptions.topics();
        Properties p = kafkaOptions.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        Map<String, ModelVersionRecord> latest = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topics.models().name(), Duration.ofSeconds(30))
                    .forEach(
                            i ->
                                    parts.add(
                                            new TopicPartition(
                                                    topics.models().name(), i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        ModelVersionRecord m = ModelVersionRecord.CODEC.decode(r.value());
                        latest.merge(m.name(), m, (a, b) -> b.version() >= a.version() ? b : a);
                    } catch (InvalidRecordException e) {
                        // unreadable records are skipped
                    }
                }
            }
        }
        return latest;
    }
}

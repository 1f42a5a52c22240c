package io.belamy.app;

import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "listen",
        mixinStandardHelpOptions = true,
        description = {
            "Print every reply on <prefix>generated.text and <prefix>generated.music (and dead"
                    + " letters with --dlq), one line per record, until Ctrl-C."
        })
final class ListenCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin KafkaOptions kafkaOptions;

    @Option(
            names = "--from-beginning",
            description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--dlq", description = "Also print dead letters from <prefix>dlq.")
    boolean dlq;

    @Option(names = "--json", description = "Print each record's JSON value as it is.")
    boolean json;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Stop after N records (default: never).")
    long limit = Long.MAX_VALUE;

    @Option(
            names = "--read-committed",
            description = "Read only committed records (for jobs in exactly-once mode).")
    boolean readCommitted;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Topics topics = kafkaOptions.topics();
        Properties p = kafkaOptions.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        List<String> names =
                new ArrayList<>(
                        List.of(topics.generatedText().name(), topics.generatedMusic().name()));
        if (dlq) {
            names.add(topics.dlq().name());
        }
        long printed = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String name : names) {
                consumer.partitionsFor(name, Duration.ofSeconds(30))
                        .forEach(i -> partitions.add(new TopicPartition(name, i.partition())));
            }
            consumer.assign(partitions);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            spec.commandLine()
                    .getErr()
                    .println("listening on " + String.join(", ", names) + " (Ctrl-C to stop)");
            while (printed < limit) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(
                            json
                                    ? new String(r.value(), StandardCharsets.UTF_8)
                                    : describe(topics, r));
                    out.flush();
                    if (++printed >= limit) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    /** One readable line per record. */
    static String describe(Topics topics, ConsumerRecord<String, byte[]> r) {
        try {
            if (r.topic().equals(topics.generatedText().name())) {
                TextReply reply = TextReply.CODEC.decode(r.value());
                if (reply instanceof TextReply.Chunk c) {
                    return String.format(
                            Locale.ROOT, "%s #%d %s", c.id(), c.seq(), quote(c.delta()));
                }
                if (reply instanceof TextReply.Result res) {
                    return String.format(
                            Locale.ROOT,
                            "%s done: %s, %d tokens, %s v%d, first token %d ms, total %d ms: %s",
                            res.id(),
                            res.finishReason(),
                            res.usage().completionTokens(),
                            res.model().name(),
                            res.model().version(),
                            res.timings().ttftMs(),
                            res.timings().totalMs(),
                            quote(res.text()));
                }
                TextReply.Error e = (TextReply.Error) reply;
                return e.id() + " error " + e.error().code() + ": " + e.error().message();
            }
            if (r.topic().equals(topics.generatedMusic().name())) {
                MusicReply reply = MusicReply.CODEC.decode(r.value());
                if (reply instanceof MusicReply.Error e) {
                    return e.id() + " error " + e.error().code() + ": " + e.error().message();
                }
                MusicReply.Result m = (MusicReply.Result) reply;
                return String.format(
                        Locale.ROOT,
                        "%s music: %d bars, %d tracks, %d notes (%d bytes of MIDI)",
                        m.id(),
                        m.summary().bars(),
                        m.summary().tracks(),
                        m.summary().notes(),
                        m.midi().length() * 3 / 4);
            }
            DeadLetter d = DeadLetter.CODEC.decode(r.value());
            return String.format(
                    Locale.ROOT,
                    "dead letter from %s[%d]@%d (key %s, job %s): %s: %s",
                    d.source().topic(),
                    d.source().partition(),
                    d.source().offset(),
                    d.source().key(),
                    d.job(),
                    d.error().code(),
                    d.error().message());
        } catch (InvalidRecordException e) {
            return r.topic() + " unreadable record (" + e.getMessage() + ")";
        }
    }

    private static String quote(String s) {
        return '"'
                + s.replace("\\", "\\\\")
                        .replace("\n", "\\n")
                        .replace("\t", "\\t")
                        .replace("\"", "\\\"")
                + '"';
    }
}

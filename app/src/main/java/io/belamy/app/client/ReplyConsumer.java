package io.belamy.app.client;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads text replies from the end of {@code <prefix>generated.text} (positioned when created, so
 * create it before sending prompts) and reassembles each request's stream: chunks in {@code seq}
 * order, repeats dropped, until the {@code done} record.
 */
public final class ReplyConsumer implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, Stream> streams = new HashMap<>();

    /**
     * @param readCommitted read only committed records (for the exactly-once delivery mode)
     */
    public ReplyConsumer(KafkaSettings kafka, Topics topics, boolean readCommitted) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        this.consumer = new KafkaConsumer<>(p);
        String topic = topics.generatedText().name();
        List<TopicPartition> partitions = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        if (partitions.isEmpty()) {
            throw new IllegalStateException("topic " + topic + " does not exist");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now, before any prompt is sent
    }

    /**
     * Waits for the final record of request {@code id}, passing each new piece of its text to
     * {@code onDelta} in order, once.
     *
     * @return the final record: a {@link TextReply.Result} or a {@link TextReply.Error}
     * @throws TimeoutException when it does not arrive in time
     */
    public TextReply await(String id, Duration timeout, Consumer<String> onDelta)
            throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Stream stream = streams.computeIfAbsent(id, k -> new Stream());
        stream.listener = onDelta;
        stream.drain();
        while (stream.done == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no reply to request " + id + " within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r :
                    consumer.poll(Duration.ofMillis(Math.min(200, left / 1_000_000 + 1)))) {
                accept(r);
            }
        }
        streams.remove(id);
        return stream.done;
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        TextReply reply;
        try {
            reply = TextReply.CODEC.decode(record.value());
        } catch (InvalidRecordException e) {
            return; // not ours to judge: another writer's record
        }
        streams.computeIfAbsent(reply.id(), k -> new Stream()).add(reply);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }

    /** One request's records, released in seq order. */
    private static final class Stream {
        private final TreeMap<Integer, TextReply> pending = new TreeMap<>();
        private int next;
        private TextReply done;

        /** Set once someone awaits the request; records wait in {@code pending} until then. */
        private Consumer<String> listener;

        void add(TextReply reply) {
            if (reply.seq() >= next && done == null) {
                pending.putIfAbsent(reply.seq(), reply);
                drain();
            }
        }

        void drain() {
            while (listener != null && done == null && pending.containsKey(next)) {
                TextReply r = pending.remove(next++);
                if (r instanceof TextReply.Chunk c) {
                    listener.accept(c.delta());
                } else {
                    done = r;
                }
            }
        }
    }
}

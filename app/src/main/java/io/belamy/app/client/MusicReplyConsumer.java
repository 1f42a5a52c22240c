package io.belamy.app.client;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads music replies from the end of {@code <prefix>generated.music} (positioned when created, so
 * create it before sending prompts).
 */
public final class MusicReplyConsumer implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;

    /** Replies read while waiting for another id, kept until asked for. */
    private final Map<String, MusicReply> early = new HashMap<>();

    public MusicReplyConsumer(KafkaSettings kafka, Topics topics, boolean readCommitted) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        p.setProperty("max.partition.fetch.bytes", Integer.toString(16 << 20));
        this.consumer = new KafkaConsumer<>(p);
        String topic = topics.generatedMusic().name();
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
     * Waits for the reply to request {@code id}.
     *
     * @throws TimeoutException when it does not arrive in time
     */
    public MusicReply await(String id, Duration timeout) throws TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            MusicReply kept = early.remove(id);
            if (kept != null) {
                return kept;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no reply to request " + id + " within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> r :
                    consumer.poll(Duration.ofMillis(Math.min(200, left / 1_000_000 + 1)))) {
                try {
                    MusicReply reply = MusicReply.CODEC.decode(r.value());
                    early.putIfAbsent(reply.id(), reply); // a repeat after failover is the same
                } catch (InvalidRecordException e) {
                    // not ours to judge: another writer's record
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}

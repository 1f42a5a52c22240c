package io.belamy.tests;

import io.belamy.core.kafka.KafkaSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Reading and writing raw records in end-to-end tests. */
final class KafkaRecords {

    private KafkaRecords() {}

    /** Sends raw values, waiting for each acknowledgement. */
    static void send(KafkaSettings kafka, String topic, String key, byte[] value)
            throws ExecutionException, InterruptedException, TimeoutException {
        Properties p = kafka.clientConfig();
        p.setProperty("key.serializer", StringSerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads a topic from the beginning until {@code done} accepts what has been read.
     *
     * @throws AssertionError when it does not within {@code timeout}
     */
    static List<ConsumerRecord<String, byte[]>> readUntil(
            KafkaSettings kafka,
            String topic,
            boolean readCommitted,
            Duration timeout,
            Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        p.setProperty("enable.auto.commit", "false");
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(out)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(
                            "after "
                                    + timeout
                                    + ", "
                                    + topic
                                    + " holds "
                                    + out.size()
                                    + " records, not what the test waits for");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(r);
                }
            }
        }
        return out;
    }
}

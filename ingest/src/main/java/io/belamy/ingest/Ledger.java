package io.belamy.ingest;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.CorpusIndexRecord;
import io.belamy.core.topic.Topics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The corpus ledger ({@code <prefix>corpus.index}, see {@link CorpusIndexRecord}) and the
 * transactional producer that writes a document together with its ledger entry.
 */
final class Ledger {

    private Ledger() {}

    /** An idempotent, transactional producer (transactions initialised). */
    static KafkaProducer<String, byte[]> producer(KafkaSettings kafka) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.serializer", StringSerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("enable.idempotence", "true");
        p.setProperty("acks", "all");
        p.setProperty("transactional.id", "belamy-ingest-" + UUID.randomUUID());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
        producer.initTransactions();
        return producer;
    }

    /** The ledger entry of a document, to send in the document's transaction. */
    static ProducerRecord<String, byte[]> entry(Topics topics, CorpusIndexRecord index) {
        return new ProducerRecord<>(
                topics.corpusIndex().name(), index.key(), CorpusIndexRecord.CODEC.encode(index));
    }

    /** The content hashes the corpus already holds, read from the ledger topic to its end. */
    static Set<String> hashes(KafkaSettings kafka, Topics topics, String corpus) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", "read_committed");
        p.setProperty("enable.auto.commit", "false");
        Set<String> hashes = new HashSet<>();
        String topic = topics.corpusIndex().name();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            var infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException(
                        "topic "
                                + topic
                                + " does not exist (is 'belamy serve' running, or were the topics created?)");
            }
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        CorpusIndexRecord rec = CorpusIndexRecord.CODEC.decode(r.value());
                        if (rec.corpus().equals(corpus)) {
                            hashes.add(rec.sha256());
                        }
                    } catch (IllegalArgumentException e) {
                        // a record this version cannot read does not block ingest
                    }
                }
            }
        }
        return hashes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

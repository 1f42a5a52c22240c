package io.belamy.streaming;

import io.belamy.core.kafka.KafkaSettings;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Kafka sources of {@link RawRecord}s and sinks of {@link OutRecord}s for belamy's jobs. */
public final class KafkaIo {

    /**
     * Producer {@code transaction.timeout.ms} for exactly-once sinks: below the broker's default
     * {@code transaction.max.timeout.ms} (15 min), else the job restarts forever.
     */
    static final String TRANSACTION_TIMEOUT_MS = "600000";

    private KafkaIo() {}

    /**
     * A source reading {@code topic} from the group's committed offsets (the earliest offset for a
     * new group), committing offsets on checkpoints.
     *
     * @param readCommitted read only committed transactional records ({@code read_committed})
     */
    public static KafkaSource<RawRecord> source(
            KafkaSettings kafka, String topic, String groupId, boolean readCommitted) {
        Properties props = kafka.clientConfig();
        props.remove("bootstrap.servers");
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setProperties(props)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty(
                        "isolation.level", readCommitted ? "read_committed" : "read_uncommitted")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setDeserializer(new RawDeserializer())
                .build();
    }

    /**
     * A source reading {@code topic} from its beginning every time the job starts fresh (a restore
     * resumes from the checkpoint), committing no offsets: for compacted topics whose whole content
     * is the state, like the models topic.
     */
    public static KafkaSource<RawRecord> sourceFromStart(
            KafkaSettings kafka, String topic, String groupId, boolean readCommitted) {
        Properties props = kafka.clientConfig();
        props.remove("bootstrap.servers");
        return KafkaSource.<RawRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setProperties(props)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setProperty(
                        "isolation.level", readCommitted ? "read_committed" : "read_uncommitted")
                .setProperty("commit.offsets.on.checkpoint", "false")
                .setDeserializer(new RawDeserializer())
                .build();
    }

    /**
     * A sink writing each {@link OutRecord} to its own topic.
     *
     * @param exactlyOnce transactional writes committed on checkpoints (consumers read with {@code
     *     read_committed}); otherwise at-least-once, sent as produced
     * @param transactionalIdPrefix unique per job (used in exactly-once mode)
     */
    public static KafkaSink<OutRecord> sink(
            KafkaSettings kafka, boolean exactlyOnce, String transactionalIdPrefix) {
        Properties props = kafka.clientConfig();
        props.remove("bootstrap.servers");
        // Streamed chunks should leave at once, not wait for a batch to fill.
        props.putIfAbsent("linger.ms", "1");
        if (exactlyOnce) {
            props.putIfAbsent("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
        }
        return KafkaSink.<OutRecord>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(
                        exactlyOnce
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setRecordSerializer(new OutSerializer())
                .build();
    }

    /** Keeps the record as bytes with its coordinates. */
    static final class RawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
            out.collect(
                    new RawRecord(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp(),
                            record.key(),
                            record.value()));
        }

        @Override
        public TypeInformation<RawRecord> getProducedType() {
            return TypeInformation.of(RawRecord.class);
        }
    }

    /** Writes the record to the topic it names, keyed by its key. */
    static final class OutSerializer implements KafkaRecordSerializationSchema<OutRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                OutRecord r, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(r.topic(), null, timestamp, r.keyBytes(), r.value());
        }
    }
}

package io.belamy.app.client;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.Topics;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes prompts (key = id), waiting for the broker's acknowledgement. */
public final class PromptProducer implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public PromptProducer(KafkaSettings kafka, Topics topics) {
        Properties p = kafka.clientConfig();
        p.setProperty("key.serializer", StringSerializer.class.getName());
        p.setProperty("value.serializer", ByteArraySerializer.class.getName());
        p.setProperty("acks", "all");
        p.setProperty("enable.idempotence", "true");
        this.producer = new KafkaProducer<>(p);
        this.topic = topics.prompts().name();
    }

    /** Sends a prompt. */
    public void send(PromptRecord prompt)
            throws ExecutionException, InterruptedException, TimeoutException {
        send(prompt.id(), PromptRecord.CODEC.encode(prompt));
    }

    /** Sends any value as a prompt (for tools and tests that need malformed ones too). */
    public void send(String key, byte[] value)
            throws ExecutionException, InterruptedException, TimeoutException {
        producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}

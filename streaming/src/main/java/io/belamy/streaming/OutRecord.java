package io.belamy.streaming;

import io.belamy.core.topic.Topic;
import java.nio.charset.StandardCharsets;

/** A record to write: its topic, key and encoded value. One sink writes them all. */
public record OutRecord(String topic, String key, byte[] value) {

    /** A record whose value is {@code value} encoded by the topic's codec. */
    public static <T> OutRecord of(Topic<T> topic, String key, T value) {
        return new OutRecord(topic.name(), key, topic.codec().encode(value));
    }

    /** The key's bytes, or null. */
    public byte[] keyBytes() {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }
}

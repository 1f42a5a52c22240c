package io.belamy.streaming;

import java.nio.charset.StandardCharsets;

/**
 * A Kafka record as read, undecoded, so that a value no codec accepts still reaches the dead-letter
 * topic with its coordinates.
 */
public record RawRecord(
        String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {

    /** The key as UTF-8 text, or null. */
    public String keyString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }
}

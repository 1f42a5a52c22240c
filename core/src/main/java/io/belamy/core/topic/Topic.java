package io.belamy.core.topic;

/**
 * A Kafka topic: its full name (prefix included) and the codec of its values. Keys are UTF-8
 * strings.
 */
public record Topic<T>(String name, JsonCodec<T> codec) {}

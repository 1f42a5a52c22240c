package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Encodes a record type to JSON bytes and back. Unknown fields are ignored (newer writers may add
 * fields); absent optional fields are omitted on write; decoding errors become {@link
 * InvalidRecordException}s that name the field.
 *
 * <pre>{@code
 * JsonCodec<PromptRecord> codec = JsonCodec.of(PromptRecord.class, "prompt");
 * codec.decode("{\"id\":\"r1\",\"task\":\"text\"}".getBytes(UTF_8));
 * // InvalidRecordException: prompt: missing required field "prompt"
 * }</pre>
 */
public final class JsonCodec<T> {

    /** The mapper all belamy topic codecs share: strict JSON, lenient about unknown fields. */
    static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                    .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                    .serializationInclusion(JsonInclude.Include.NON_NULL)
                    .build();

    private final Class<T> type;
    private final String name;
    private final Function<JsonNode, Class<? extends T>> variant;

    private JsonCodec(Class<T> type, String name, Function<JsonNode, Class<? extends T>> variant) {
        this.type = type;
        this.name = name;
        this.variant = variant;
    }

    /** A codec for {@code type}; {@code name} (e.g. "prompt") prefixes error messages. */
    public static <T> JsonCodec<T> of(Class<T> type, String name) {
        return new JsonCodec<>(type, name, tree -> type);
    }

    /**
     * A codec for a sealed type whose variant is told by the JSON itself, e.g. by a {@code done} or
     * {@code type} field.
     */
    public static <T> JsonCodec<T> sealed(
            Class<T> type, String name, Function<JsonNode, Class<? extends T>> variant) {
        return new JsonCodec<>(type, name, variant);
    }

    public Class<T> type() {
        return type;
    }

    /** Name of the record kind, as used in error messages. */
    public String name() {
        return name;
    }

    /** The value as compact UTF-8 JSON. */
    public byte[] encode(T value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value as a JSON string. */
    public String toJson(T value) {
        return new String(encode(value), StandardCharsets.UTF_8);
    }

    /**
     * Reads a value.
     *
     * @throws InvalidRecordException naming the problem and the field
     */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_JSON, name + ": value is null (a tombstone)");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_JSON,
                    name + ": not valid JSON: " + firstLine(e.getMessage()),
                    e);
        }
        if (tree == null || !tree.isObject()) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_JSON,
                    name
                            + ": expected a JSON object, got "
                            + (tree == null ? "nothing" : tree.getNodeType()));
        }
        return decode(tree);
    }

    /** Reads a value from a parsed JSON object. */
    public T decode(JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, variant.apply(tree));
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidRecordException invalid) {
                throw new InvalidRecordException(
                        invalid.code(), name + ": " + invalid.getMessage(), e);
            }
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    name + ": " + (cause != null ? cause.getMessage() : e.getOriginalMessage()),
                    e);
        } catch (InvalidFormatException e) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    name
                            + ": field \""
                            + path(e)
                            + "\" has invalid value "
                            + e.getValue()
                            + " (expected "
                            + e.getTargetType().getSimpleName()
                            + ")",
                    e);
        } catch (MismatchedInputException e) {
            String target =
                    e.getTargetType() == null ? "another type" : e.getTargetType().getSimpleName();
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    name
                            + ": field \""
                            + path(e)
                            + "\" has the wrong type (expected "
                            + target
                            + ")",
                    e);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    name + ": " + firstLine(e.getOriginalMessage()),
                    e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}

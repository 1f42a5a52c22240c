package io.belamy.core.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;

/**
 * Typed reads of a Hugging Face {@code config.json}: absent keys take the library's defaults, a
 * present key of the wrong type or an unsupported value is an {@link IllegalArgumentException}
 * naming the field and the value.
 */
public final class HfConfig {

    public static final String FILE = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;

    private HfConfig(JsonNode root) {
        this.root = root;
    }

    /**
     * Reads {@code config.json} of a model directory.
     *
     * @throws IOException naming the file when it is missing or not a JSON object
     */
    public static HfConfig read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(
                    file.toString(), null, "model directory has no config.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(file + ": expected a JSON object");
        }
        return new HfConfig(root);
    }

    public static HfConfig of(JsonNode root) {
        return new HfConfig(root);
    }

    /** Whether the key is present and not null. */
    public boolean has(String field) {
        JsonNode v = root.get(field);
        return v != null && !v.isNull();
    }

    public String text(String field, String fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = root.get(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string, got " + v);
        }
        return v.asText();
    }

    public int integer(String field, int fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = root.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(field + " must be an integer, got " + v);
        }
        return v.asInt();
    }

    public double number(String field, double fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonNode v = root.get(field);
        if (!v.isNumber()) {
            throw new IllegalArgumentException(field + " must be a number, got " + v);
        }
        return v.asDouble();
    }

    /** Requires a text field (when present) to be one of {@code allowed}. */
    public String oneOf(String field, String fallback, Collection<String> allowed, String what) {
        String v = text(field, fallback);
        if (!allowed.contains(v)) {
            throw new IllegalArgumentException(
                    "unsupported "
                            + field
                            + " \""
                            + v
                            + "\" ("
                            + what
                            + " supports: "
                            + String.join(", ", allowed)
                            + ")");
        }
        return v;
    }

    /** Requires a boolean field (when present) to have the one value belamy supports. */
    public void requireFlag(String field, boolean supported, String what) {
        if (!has(field)) {
            return;
        }
        JsonNode v = root.get(field);
        if (!v.isBoolean() || v.asBoolean() != supported) {
            throw new IllegalArgumentException(
                    field + " is " + v + "; " + what + " supports only " + supported);
        }
    }

    /** Requires every entry of the {@code architectures} list (when present) to be allowed. */
    public void requireArchitectures(Collection<String> allowed, String what) {
        JsonNode a = root.get("architectures");
        if (a == null || !a.isArray()) {
            return;
        }
        for (JsonNode name : a) {
            if (!allowed.contains(name.asText())) {
                throw new IllegalArgumentException(
                        "unsupported architectures \""
                                + name.asText()
                                + "\" ("
                                + what
                                + " supports: "
                                + String.join(", ", allowed)
                                + ")");
            }
        }
    }
}

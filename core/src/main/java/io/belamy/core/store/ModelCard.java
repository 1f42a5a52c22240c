package io.belamy.core.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * belamy's own description of a model version, {@code belamy.json} beside the Hugging Face files:
 * what the model is and where it came from. Hugging Face tools ignore it.
 *
 * <pre>{@code
 * {"name":"austen-gpt","kind":"gpt","version":3,"parent":2,"createdAt":1795000000000,
 *  "counters":{"steps":300,"tokensTrained":2457600},"metrics":{"loss":2.31}}
 * }</pre>
 *
 * @param name model name
 * @param kind {@code gpt}, {@code bert} or {@code musegan}
 * @param version version number, from 1
 * @param parent the version this one was trained from, if any
 * @param createdAt epoch milliseconds
 */
public record ModelCard(
        String name,
        String kind,
        long version,
        Long parent,
        long createdAt,
        Map<String, Long> counters,
        Map<String, Double> metrics) {

    public static final String FILE = "belamy.json";

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .serializationInclusion(JsonInclude.Include.NON_NULL)
                    .build();

    public ModelCard {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model card needs a name");
        }
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("model card needs a kind");
        }
        if (version < 1) {
            throw new IllegalArgumentException("model version must be >= 1, got " + version);
        }
        counters = counters == null ? Map.of() : Map.copyOf(counters);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    /**
     * The card of a model directory, if it has one.
     *
     * @throws IOException naming the file when it exists but cannot be read
     */
    public static Optional<ModelCard> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), ModelCard.class));
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code belamy.json} into a model directory. */
    public void write(Path dir) throws IOException {
        Files.writeString(
                dir.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this));
    }
}

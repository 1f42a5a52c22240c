package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The latest version of a model on the compacted {@code <prefix>models} topic (key = model name).
 *
 * <pre>{@code
 * {"v":1,"name":"austen-gpt","version":3,"kind":"gpt","uri":"file:///store/austen-gpt/v3",
 *  "parent":2,"createdAt":1795000000000,"counters":{"steps":300,"tokensTrained":2457600},
 *  "metrics":{"loss":2.31,"heldOutLoss":2.44}}
 * }</pre>
 *
 * @param kind {@code gpt}, {@code bert} or {@code musegan}
 * @param uri where the version's Hugging Face directory is (a path or a Flink FileSystem URI)
 * @param parent the version it was trained from, if any
 * @param createdAt epoch milliseconds
 */
@JsonPropertyOrder({
    "v",
    "name",
    "version",
    "kind",
    "uri",
    "parent",
    "createdAt",
    "counters",
    "metrics"
})
public record ModelVersionRecord(
        Integer v,
        String name,
        long version,
        String kind,
        String uri,
        Long parent,
        long createdAt,
        Map<String, Long> counters,
        Map<String, Double> metrics) {

    public static final int VERSION = 1;
    public static final JsonCodec<ModelVersionRecord> CODEC =
            JsonCodec.of(ModelVersionRecord.class, "model version");

    public ModelVersionRecord {
        v = InvalidRecordException.version(v, VERSION, "model version");
        InvalidRecordException.requireText(name, "name");
        InvalidRecordException.requireText(kind, "kind");
        InvalidRecordException.requireText(uri, "uri");
        if (version < 1) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    "field \"version\" must be >= 1, got " + version);
        }
        counters = counters == null ? Map.of() : Map.copyOf(counters);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }
}

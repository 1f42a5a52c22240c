package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * A record on {@code <prefix>generated.music} (key = request id): one {@link Result} with a
 * Standard MIDI File, or an {@link Error}.
 */
public sealed interface MusicReply permits MusicReply.Result, MusicReply.Error {

    int VERSION = 1;

    JsonCodec<MusicReply> CODEC =
            JsonCodec.sealed(
                    MusicReply.class,
                    "music reply",
                    tree -> tree.has("error") ? Error.class : Result.class);

    String id();

    /**
     * A generated piece.
     *
     * @param midi the Standard MIDI File (type 1), base64
     * @param summary bars, tracks and note counts
     * @param metrics evaluation figures (e.g. empty-bar rate, pitch classes used)
     */
    @JsonPropertyOrder({
        "v", "id", "done", "midi", "summary", "metrics", "model", "timings", "seed"
    })
    record Result(
            Integer v,
            String id,
            String midi,
            Summary summary,
            Map<String, Double> metrics,
            ReplyParts.ModelRef model,
            ReplyParts.Timings timings,
            Long seed)
            implements MusicReply {
        public Result {
            v = InvalidRecordException.version(v, VERSION, "music result");
            InvalidRecordException.requireText(id, "id");
            InvalidRecordException.requireText(midi, "midi");
            InvalidRecordException.require(summary, "summary");
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }

        @JsonProperty("done")
        public boolean done() {
            return true;
        }
    }

    /** Size of a generated piece. */
    record Summary(int bars, int tracks, int notes) {}

    /** A music request that failed. */
    @JsonPropertyOrder({"v", "id", "done", "error"})
    record Error(Integer v, String id, ReplyParts.ErrorInfo error) implements MusicReply {
        public Error {
            v = InvalidRecordException.version(v, VERSION, "music error");
            InvalidRecordException.requireText(id, "id");
            InvalidRecordException.require(error, "error");
        }

        public Error(String id, String code, String message) {
            this(VERSION, id, new ReplyParts.ErrorInfo(code, message));
        }

        @JsonProperty("done")
        public boolean done() {
            return true;
        }
    }
}

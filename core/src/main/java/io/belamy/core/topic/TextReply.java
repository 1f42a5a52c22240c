package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A record on {@code <prefix>generated.text} (key = request id): a streamed {@link Chunk}, the
 * final {@link Result}, or an {@link Error}. Records of one request carry {@code seq} 0, 1, 2 ...;
 * after a retry a consumer may see a seq again and should drop it. The record with {@code done:
 * true} is the last one and authoritative.
 */
public sealed interface TextReply permits TextReply.Chunk, TextReply.Result, TextReply.Error {

    int VERSION = 1;

    JsonCodec<TextReply> CODEC =
            JsonCodec.sealed(TextReply.class, "text reply", TextReply::variant);

    String id();

    int seq();

    /** Whether this is the request's last record. */
    boolean done();

    private static Class<? extends TextReply> variant(JsonNode tree) {
        if (!tree.path("done").asBoolean(false)) {
            return Chunk.class;
        }
        return tree.has("error") ? Error.class : Result.class;
    }

    /**
     * A piece of the continuation: {@code {"v":1,"id":"r1","seq":0,"delta":" Once","done":false}}.
     */
    @JsonPropertyOrder({"v", "id", "seq", "delta", "done"})
    record Chunk(Integer v, String id, int seq, String delta) implements TextReply {
        public Chunk {
            v = InvalidRecordException.version(v, VERSION, "text chunk");
            InvalidRecordException.requireText(id, "id");
            InvalidRecordException.require(delta, "delta");
        }

        public Chunk(String id, int seq, String delta) {
            this(VERSION, id, seq, delta);
        }

        @Override
        @JsonProperty("done")
        public boolean done() {
            return false;
        }
    }

    /**
     * The final record of a completed request.
     *
     * @param text the whole continuation (concatenation of the chunks' deltas)
     * @param finishReason {@code length}, {@code stop} or {@code eos}
     * @param seed the sampler's seed (given or picked): replaying it gives the same text
     * @param masks fill-mask only: each {@code [MASK]}, left to right (null for text)
     */
    @JsonPropertyOrder({
        "v",
        "id",
        "seq",
        "done",
        "text",
        "finishReason",
        "usage",
        "model",
        "timings",
        "seed",
        "masks"
    })
    record Result(
            Integer v,
            String id,
            int seq,
            String text,
            String finishReason,
            ReplyParts.Usage usage,
            ReplyParts.ModelRef model,
            ReplyParts.Timings timings,
            Long seed,
            java.util.List<ReplyParts.MaskFill> masks)
            implements TextReply {
        public Result {
            v = InvalidRecordException.version(v, VERSION, "text result");
            InvalidRecordException.requireText(id, "id");
            InvalidRecordException.require(text, "text");
            InvalidRecordException.requireText(finishReason, "finishReason");
            InvalidRecordException.require(usage, "usage");
            InvalidRecordException.require(model, "model");
        }

        @Override
        @JsonProperty("done")
        public boolean done() {
            return true;
        }
    }

    /** The final record of a request that failed: {@code {"done":true,"error":{"code":..}}}. */
    @JsonPropertyOrder({"v", "id", "seq", "done", "error"})
    record Error(Integer v, String id, int seq, ReplyParts.ErrorInfo error) implements TextReply {
        public Error {
            v = InvalidRecordException.version(v, VERSION, "text error");
            InvalidRecordException.requireText(id, "id");
            InvalidRecordException.require(error, "error");
        }

        public Error(String id, int seq, String code, String message) {
            this(VERSION, id, seq, new ReplyParts.ErrorInfo(code, message));
        }

        @Override
        @JsonProperty("done")
        public boolean done() {
            return true;
        }
    }
}

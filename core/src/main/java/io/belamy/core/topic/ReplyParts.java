package io.belamy.core.topic;

/** Parts shared by reply records. */
public final class ReplyParts {

    private ReplyParts() {}

    /** Why a request failed: a stable {@code code} and a human-readable {@code message}. */
    public record ErrorInfo(String code, String message) {
        public ErrorInfo {
            InvalidRecordException.requireText(code, "error.code");
            InvalidRecordException.require(message, "error.message");
        }
    }

    /** The model that answered. */
    public record ModelRef(String name, long version) {
        public ModelRef {
            InvalidRecordException.requireText(name, "model.name");
        }
    }

    /** Token counts. */
    public record Usage(int promptTokens, int completionTokens) {}

    /**
     * Milliseconds measured from the prompt record's Kafka timestamp: until generation started
     * ({@code queueMs}), until the first token ({@code ttftMs}), until the end ({@code totalMs}).
     */
    public record Timings(long queueMs, long ttftMs, long totalMs) {}

    /** A token proposed for a {@code [MASK]}, with its probability there. */
    public record Candidate(int tokenId, String token, double score) {}

    /**
     * One {@code [MASK]} of a fill-mask reply: its token position, the token that filled it (masks
     * are filled left to right, each seeing the ones before filled) and its top-k candidates.
     */
    public record MaskFill(int position, Candidate filled, java.util.List<Candidate> candidates) {
        public MaskFill {
            candidates = java.util.List.copyOf(candidates);
        }
    }
}

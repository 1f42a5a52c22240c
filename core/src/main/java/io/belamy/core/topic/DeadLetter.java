package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A record that a job could not process, on {@code <prefix>dlq}: where it came from, why it failed,
 * and its payload (cut to {@link #MAX_PAYLOAD_BYTES}).
 *
 * <pre>{@code
 * {"v":1,"source":{"topic":"belamy.prompts","partition":0,"offset":41,"key":"r7"},
 *  "job":"generate","error":{"code":"invalid_json","message":"prompt: not valid JSON: ..."},
 *  "payload":"{\"id\": \"r7\", ","payloadEncoding":"utf8","payloadBytes":12,"truncated":false,
 *  "timestamp":1795000000000}
 * }</pre>
 *
 * @param payloadEncoding {@code utf8} when the payload is valid UTF-8 text, else {@code base64}
 * @param payloadBytes size of the original payload in bytes
 * @param truncated whether {@code payload} holds only the first {@link #MAX_PAYLOAD_BYTES} bytes
 * @param timestamp epoch milliseconds when the job gave up on the record
 */
@JsonPropertyOrder({
    "v",
    "source",
    "job",
    "error",
    "payload",
    "payloadEncoding",
    "payloadBytes",
    "truncated",
    "timestamp"
})
public record DeadLetter(
        Integer v,
        Source source,
        String job,
        ReplyParts.ErrorInfo error,
        String payload,
        String payloadEncoding,
        int payloadBytes,
        boolean truncated,
        long timestamp) {

    public static final int VERSION = 1;
    public static final JsonCodec<DeadLetter> CODEC = JsonCodec.of(DeadLetter.class, "dead letter");

    /** Most payload bytes kept. */
    public static final int MAX_PAYLOAD_BYTES = 8 * 1024;

    public DeadLetter {
        v = InvalidRecordException.version(v, VERSION, "dead letter");
        InvalidRecordException.require(source, "source");
        InvalidRecordException.requireText(job, "job");
        InvalidRecordException.require(error, "error");
        InvalidRecordException.requireText(payloadEncoding, "payloadEncoding");
    }

    /** Where the failed record was read. */
    public record Source(String topic, int partition, long offset, String key) {
        public Source {
            InvalidRecordException.requireText(topic, "source.topic");
        }
    }

    /** A dead letter for a payload (null payloads are recorded as empty). */
    public static DeadLetter of(
            Source source,
            String job,
            String code,
            String message,
            byte[] payload,
            long timestamp) {
        byte[] bytes = payload == null ? new byte[0] : payload;
        boolean truncated = bytes.length > MAX_PAYLOAD_BYTES;
        byte[] kept = truncated ? Arrays.copyOf(bytes, MAX_PAYLOAD_BYTES) : bytes;
        String text = utf8(kept, truncated);
        return new DeadLetter(
                VERSION,
                source,
                job,
                new ReplyParts.ErrorInfo(code, message),
                text != null ? text : Base64.getEncoder().encodeToString(kept),
                text != null ? "utf8" : "base64",
                bytes.length,
                truncated,
                timestamp);
    }

    /** The bytes as text when they are UTF-8 (a character cut by truncation is tolerated). */
    private static String utf8(byte[] bytes, boolean truncated) {
        var decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        for (int cut = 0; cut <= (truncated ? 3 : 0) && cut < bytes.length + 1; cut++) {
            try {
                return decoder.decode(ByteBuffer.wrap(bytes, 0, bytes.length - cut)).toString();
            } catch (CharacterCodingException e) {
                decoder.reset();
            }
        }
        return null;
    }
}

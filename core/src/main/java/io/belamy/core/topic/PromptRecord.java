package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A generation request on {@code <prefix>prompts} (key = {@code id}).
 *
 * <pre>{@code
 * {"v":1,"id":"r1","task":"text","model":"gpt2-tiny","prompt":"Once upon a time",
 *  "params":{"maxTokens":32,"temperature":0.7,"seed":42}}
 * }</pre>
 *
 * @param v schema version (absent means 1)
 * @param id request id, chosen by the client; replies carry it
 * @param task {@code text}, {@code fill-mask} or {@code music}
 * @param model model name; absent means the job's default model
 * @param modelVersion pins a version of the model; absent means the latest
 * @param prompt the text to continue (text), the text with [MASK]s (fill-mask); optional for music
 * @param params decoding or music parameters; absent means defaults
 */
@JsonPropertyOrder({"v", "id", "task", "model", "modelVersion", "prompt", "params"})
public record PromptRecord(
        Integer v,
        String id,
        String task,
        String model,
        Long modelVersion,
        String prompt,
        PromptParams params) {

    public static final int VERSION = 1;
    public static final JsonCodec<PromptRecord> CODEC = JsonCodec.of(PromptRecord.class, "prompt");

    /** Task names. */
    public static final String TEXT = "text";

    public static final String FILL_MASK = "fill-mask";
    public static final String MUSIC = "music";

    /** Longest prompt text accepted, in characters. */
    public static final int MAX_PROMPT_CHARS = 1 << 20;

    public PromptRecord {
        v = InvalidRecordException.version(v, VERSION, "prompt");
        InvalidRecordException.requireText(id, "id");
        InvalidRecordException.requireText(task, "task");
        if (!task.equals(MUSIC)) {
            InvalidRecordException.require(prompt, "prompt");
        }
        if (prompt != null && prompt.length() > MAX_PROMPT_CHARS) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    "field \"prompt\" has "
                            + prompt.length()
                            + " characters, more than "
                            + MAX_PROMPT_CHARS);
        }
        params = params == null ? PromptParams.none() : params;
    }

    /** A text prompt for the job's default model. */
    public static PromptRecord text(String id, String prompt, PromptParams params) {
        return new PromptRecord(VERSION, id, TEXT, null, null, prompt, params);
    }
}

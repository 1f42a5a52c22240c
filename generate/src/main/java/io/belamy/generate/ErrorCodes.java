package io.belamy.generate;

/** Codes of error replies (beyond {@link io.belamy.core.topic.InvalidRecordException}'s). */
public final class ErrorCodes {

    private ErrorCodes() {}

    /** The task is not one of text, fill-mask, music. */
    public static final String UNKNOWN_TASK = "unknown_task";

    /** A known task this job does not serve. */
    public static final String UNSUPPORTED_TASK = "unsupported_task";

    /** No model of that name is served. */
    public static final String UNKNOWN_MODEL = "unknown_model";

    /** The model is served, but not the pinned version. */
    public static final String UNKNOWN_MODEL_VERSION = "unknown_model_version";

    /** A parameter is out of range. */
    public static final String INVALID_PARAMS = "invalid_params";

    /** The prompt does not fit the model's context and truncation was not allowed. */
    public static final String PROMPT_TOO_LONG = "prompt_too_long";

    /** The model failed; the job goes on. */
    public static final String INTERNAL = "internal";
}

package io.belamy.core.topic;

/**
 * A record value that cannot be read: not JSON, a missing or mistyped field, an unsupported schema
 * version. {@link #code()} is the machine-readable reason sent in error replies.
 */
public class InvalidRecordException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** Value is not JSON (or not a JSON object). */
    public static final String INVALID_JSON = "invalid_json";

    /** A required field is absent or null. */
    public static final String MISSING_FIELD = "missing_field";

    /** A field has the wrong type or an invalid value. */
    public static final String INVALID_FIELD = "invalid_field";

    /** The value's schema version {@code v} is newer than this belamy reads. */
    public static final String UNSUPPORTED_VERSION = "unsupported_version";

    private final String code;

    public InvalidRecordException(String code, String message) {
        super(message);
        this.code = code;
    }

    public InvalidRecordException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** One of the constants of this class. */
    public String code() {
        return code;
    }

    /** An exception for an absent required field. */
    public static InvalidRecordException missing(String field) {
        return new InvalidRecordException(
                MISSING_FIELD, "missing required field \"" + field + "\"");
    }

    /** Checks that a required field is present. */
    public static <T> T require(T value, String field) {
        if (value == null) {
            throw missing(field);
        }
        return value;
    }

    /** Checks that a required text field is present and not empty. */
    public static String requireText(String value, String field) {
        if (value == null) {
            throw missing(field);
        }
        if (value.isEmpty()) {
            throw new InvalidRecordException(
                    INVALID_FIELD, "field \"" + field + "\" must not be empty");
        }
        return value;
    }

    /**
     * The schema version of a value: absent means {@code current}; newer than {@code current} is
     * refused.
     */
    public static int version(Integer v, int current, String record) {
        if (v == null) {
            return current;
        }
        if (v < 1 || v > current) {
            throw new InvalidRecordException(
                    UNSUPPORTED_VERSION,
                    record
                            + " schema version v="
                            + v
                            + " is not supported (this belamy reads v=1.."
                            + current
                            + ")");
        }
        return v;
    }
}

package io.belamy.core.io;

import java.util.Locale;

/** Element types of a safetensors file, by their header names. */
public enum DType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** Whether values of this type widen to float32 without loss of meaning. */
    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /**
     * Parses a header dtype name such as {@code "F32"}.
     *
     * @throws IllegalArgumentException naming the value when belamy cannot read that type
     */
    public static DType parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "unsupported safetensors dtype \""
                            + name
                            + "\" (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)",
                    e);
        }
    }
}

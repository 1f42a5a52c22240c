package io.belamy.core.generation;

import java.util.Locale;

/** What to do with a prompt that does not leave room in the context for the new tokens. */
public enum Truncation {
    /** Refuse it with an error naming the lengths (the default: no silent truncation). */
    NONE,
    /** Keep the end of the prompt: drop its first tokens until the new tokens fit. */
    LEFT;

    /**
     * Parses {@code none} or {@code left}.
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Truncation parse(String value) {
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "truncation \"" + value + "\" is not one of: none, left", e);
        }
    }
}

package io.belamy.core.generation;

import java.util.Locale;

/** Why generation ended. */
public enum FinishReason {
    /** The token budget ({@code maxTokens}) or the model's context ran out. */
    LENGTH,
    /** A stop string appeared; the text ends just before it. */
    STOP,
    /** The model produced its end-of-text token. */
    EOS;

    /** The wire name: {@code length}, {@code stop} or {@code eos}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

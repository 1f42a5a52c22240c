package io.belamy.core.generation;

import io.belamy.core.tokenizer.IncrementalDecoder;
import io.belamy.core.tokenizer.TextTokenizer;
import java.util.List;
import java.util.function.Consumer;

/**
 * The text of generated tokens as it grows: decodes without splitting characters, ends at the first
 * stop string (which is never emitted, even when it spans several tokens), and emits each new piece
 * of text once it can no longer become part of a stop string.
 */
final class OutputText {

    private final IncrementalDecoder decoder;
    private final List<String> stops;
    private final int longestStop;
    private final Consumer<String> listener;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean stopped;

    OutputText(TextTokenizer tokenizer, List<String> stops, Consumer<String> listener) {
        this.decoder = new IncrementalDecoder(tokenizer);
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
        this.listener = listener;
    }

    /**
     * Adds a generated token.
     *
     * @return true when the text now contains a stop string (it is cut before it)
     */
    boolean push(int token) {
        append(decoder.push(token));
        return stopped;
    }

    /** Adds the text of tokens held back (at the end of generation) and emits everything left. */
    void finish() {
        if (!stopped) {
            append(decoder.flush());
        }
        emit(text.length());
    }

    /** Whether a stop string ended the text. */
    boolean stopped() {
        return stopped;
    }

    /** The text so far, without any stop string. */
    String text() {
        return text.toString();
    }

    private void append(String delta) {
        if (delta.isEmpty() || stopped) {
            return;
        }
        int searchFrom = Math.max(0, text.length() - longestStop + 1);
        text.append(delta);
        int cut = firstStop(searchFrom);
        if (cut >= 0) {
            text.setLength(cut);
            stopped = true;
            emit(cut);
            return;
        }
        emit(text.length() - heldBack());
    }

    /** Start of the earliest stop string at or after {@code from}, or -1. */
    private int firstStop(int from) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest suffix of the text that begins some stop string. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, text.length());
            for (int n = max; n > held; n--) {
                if (endsWithPrefix(stop, n)) {
                    held = n;
                    break;
                }
            }
        }
        return held;
    }

    /** Whether the text ends with the first {@code n} characters of {@code stop}. */
    private boolean endsWithPrefix(String stop, int n) {
        int offset = text.length() - n;
        for (int i = 0; i < n; i++) {
            if (text.charAt(offset + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void emit(int upTo) {
        if (upTo > emitted) {
            listener.accept(text.substring(emitted, upTo));
            emitted = upTo;
        }
    }
}

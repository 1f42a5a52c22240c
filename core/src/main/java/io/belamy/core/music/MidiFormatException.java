package io.belamy.core.music;

import java.io.IOException;

/** Bytes that are not a Standard MIDI File belamy can read; the message says what is wrong. */
public final class MidiFormatException extends IOException {

    public MidiFormatException(String message) {
        super(message);
    }

    public MidiFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

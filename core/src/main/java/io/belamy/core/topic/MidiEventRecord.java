package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Set;

/**
 * One MIDI event of a piece on {@code <prefix>corpus.midi} (key = piece id). Times are in ticks of
 * {@code ppq} per quarter note. The {@code type} decides which fields are set:
 *
 * <ul>
 *   <li>{@code note}: {@code tick} (onset), {@code duration}, {@code pitch}, {@code velocity},
 *       {@code channel}, {@code program} (General MIDI, 0-127), {@code track}, {@code drum}
 *   <li>{@code tempo}: {@code tick}, {@code microsPerQuarter}
 *   <li>{@code timeSignature}: {@code tick}, {@code numerator}, {@code denominator}
 *   <li>{@code end}: {@code eventCount} (events of the piece before this marker)
 * </ul>
 *
 * <pre>{@code
 * {"v":1,"corpus":"freedoom","piece":"D_E1M1","seq":12,"type":"note","ppq":480,"tick":960,
 *  "duration":240,"pitch":64,"velocity":100,"channel":1,"program":30,"track":2,"drum":false}
 * }</pre>
 */
@JsonPropertyOrder({
    "v",
    "corpus",
    "piece",
    "seq",
    "type",
    "ppq",
    "tick",
    "duration",
    "pitch",
    "velocity",
    "channel",
    "program",
    "track",
    "drum",
    "microsPerQuarter",
    "numerator",
    "denominator",
    "eventCount"
})
public record MidiEventRecord(
        Integer v,
        String corpus,
        String piece,
        long seq,
        String type,
        int ppq,
        Long tick,
        Long duration,
        Integer pitch,
        Integer velocity,
        Integer channel,
        Integer program,
        Integer track,
        Boolean drum,
        Integer microsPerQuarter,
        Integer numerator,
        Integer denominator,
        Long eventCount) {

    public static final int VERSION = 1;
    public static final JsonCodec<MidiEventRecord> CODEC =
            JsonCodec.of(MidiEventRecord.class, "midi event");

    public static final String NOTE = "note";
    public static final String TEMPO = "tempo";
    public static final String TIME_SIGNATURE = "timeSignature";
    public static final String END = "end";

    private static final Set<String> TYPES = Set.of(NOTE, TEMPO, TIME_SIGNATURE, END);

    public MidiEventRecord {
        v = InvalidRecordException.version(v, VERSION, "midi event");
        InvalidRecordException.requireText(corpus, "corpus");
        InvalidRecordException.requireText(piece, "piece");
        InvalidRecordException.requireText(type, "type");
        if (!TYPES.contains(type)) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD,
                    "field \"type\" is \""
                            + type
                            + "\" (expected one of note, tempo, timeSignature, end)");
        }
        if (ppq < 1) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD, "field \"ppq\" must be >= 1, got " + ppq);
        }
        switch (type) {
            case NOTE -> {
                InvalidRecordException.require(tick, "tick");
                InvalidRecordException.require(duration, "duration");
                InvalidRecordException.require(pitch, "pitch");
                InvalidRecordException.require(velocity, "velocity");
                InvalidRecordException.require(channel, "channel");
                InvalidRecordException.require(program, "program");
                InvalidRecordException.require(track, "track");
                drum = drum != null && drum;
            }
            case TEMPO -> {
                InvalidRecordException.require(tick, "tick");
                InvalidRecordException.require(microsPerQuarter, "microsPerQuarter");
            }
            case TIME_SIGNATURE -> {
                InvalidRecordException.require(tick, "tick");
                InvalidRecordException.require(numerator, "numerator");
                InvalidRecordException.require(denominator, "denominator");
            }
            default -> InvalidRecordException.require(eventCount, "eventCount");
        }
    }
}

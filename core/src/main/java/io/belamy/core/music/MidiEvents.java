package io.belamy.core.music;

import io.belamy.core.topic.MidiEventRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Between pieces and the records of {@code <prefix>corpus.midi}: one record per note, tempo change
 * and time signature, in time order (at one tick: time signatures, tempo changes, then notes), then
 * an end-of-piece marker counting them, its {@code tick} the piece's length. A note's {@code track}
 * is its part; its {@code drum} flag says whether it is on channel 10 (the channel decides).
 */
public final class MidiEvents {

    private MidiEvents() {}

    /** The records of a piece, {@code seq} from 0, the end marker last. */
    public static List<MidiEventRecord> toRecords(Piece piece, String corpus, String pieceId) {
        List<MidiEventRecord> out = new ArrayList<>();
        int ppq = piece.ppq();
        int s = 0;
        int t = 0;
        int n = 0;
        List<TimeSignature> signatures = piece.timeSignatures();
        List<TempoChange> tempos = piece.tempos();
        List<Note> notes = piece.notes();
        while (s < signatures.size() || t < tempos.size() || n < notes.size()) {
            long st = s < signatures.size() ? signatures.get(s).tick() : Long.MAX_VALUE;
            long tt = t < tempos.size() ? tempos.get(t).tick() : Long.MAX_VALUE;
            long nt = n < notes.size() ? notes.get(n).tick() : Long.MAX_VALUE;
            long seq = out.size();
            if (st <= tt && st <= nt) {
                TimeSignature x = signatures.get(s++);
                out.add(
                        new MidiEventRecord(
                                MidiEventRecord.VERSION,
                                corpus,
                                pieceId,
                                seq,
                                MidiEventRecord.TIME_SIGNATURE,
                                ppq,
                                x.tick(),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                x.numerator(),
                                x.denominator(),
                                null));
            } else if (tt <= nt) {
                TempoChange x = tempos.get(t++);
                out.add(
                        new MidiEventRecord(
                                MidiEventRecord.VERSION,
                                corpus,
                                pieceId,
                                seq,
                                MidiEventRecord.TEMPO,
                                ppq,
                                x.tick(),
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                null,
                                x.microsPerQuarter(),
                                null,
                                null,
                                null));
            } else {
                out.add(note(notes.get(n++), corpus, pieceId, seq, ppq));
            }
        }
        out.add(end(corpus, pieceId, out.size(), ppq, piece.length()));
        return out;
    }

    /** The record of one note. */
    public static MidiEventRecord note(Note x, String corpus, String pieceId, long seq, int ppq) {
        return new MidiEventRecord(
                MidiEventRecord.VERSION,
                corpus,
                pieceId,
                seq,
                MidiEventRecord.NOTE,
                ppq,
                x.tick(),
                x.duration(),
                x.pitch(),
                x.velocity(),
                x.channel(),
                x.program(),
                x.part(),
                x.drum(),
                null,
                null,
                null,
                null);
    }

    /** The end-of-piece marker after {@code eventCount} events; its tick is the piece's length. */
    public static MidiEventRecord end(
            String corpus, String pieceId, long eventCount, int ppq, long length) {
        return new MidiEventRecord(
                MidiEventRecord.VERSION,
                corpus,
                pieceId,
                eventCount,
                MidiEventRecord.END,
                ppq,
                length,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                eventCount);
    }

    /**
     * The note of a {@code note} record.
     *
     * @throws IllegalArgumentException naming a value out of range
     */
    public static Note toNote(MidiEventRecord r) {
        if (!MidiEventRecord.NOTE.equals(r.type())) {
            throw new IllegalArgumentException("not a note record: " + r.type());
        }
        return new Note(
                r.tick(),
                r.duration(),
                r.pitch(),
                r.velocity(),
                r.channel(),
                r.program(),
                r.track());
    }

    /**
     * A piece from its records (any order; the end marker is optional).
     *
     * @throws IllegalArgumentException when records disagree on ppq or hold values out of range
     */
    public static Piece toPiece(List<MidiEventRecord> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("no records");
        }
        int ppq = records.get(0).ppq();
        List<Note> notes = new ArrayList<>();
        List<TempoChange> tempos = new ArrayList<>();
        List<TimeSignature> signatures = new ArrayList<>();
        long length = 0;
        List<MidiEventRecord> sorted = new ArrayList<>(records);
        sorted.sort(java.util.Comparator.comparingLong(MidiEventRecord::seq));
        for (MidiEventRecord r : sorted) {
            if (r.ppq() != ppq) {
                throw new IllegalArgumentException(
                        "records of one piece disagree on ppq: " + ppq + " and " + r.ppq());
            }
            switch (r.type()) {
                case MidiEventRecord.NOTE -> notes.add(toNote(r));
                case MidiEventRecord.TEMPO ->
                        tempos.add(new TempoChange(r.tick(), r.microsPerQuarter()));
                case MidiEventRecord.TIME_SIGNATURE ->
                        signatures.add(new TimeSignature(r.tick(), r.numerator(), r.denominator()));
                default -> length = r.tick() == null ? 0 : r.tick();
            }
        }
        return new Piece(ppq, notes, tempos, signatures, length);
    }
}

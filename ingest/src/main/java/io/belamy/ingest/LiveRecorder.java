package io.belamy.ingest;

import io.belamy.core.music.MidiEvents;
import io.belamy.core.music.Note;
import io.belamy.core.topic.MidiEventRecord;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.Receiver;
import javax.sound.midi.ShortMessage;

/**
 * Turns messages from a live MIDI input into {@code corpus.midi} records of one piece, as they
 * happen: a note record when a note ends, the end marker on {@link #close()}. Time is in ticks of
 * {@link #PPQ} at 120 bpm from the first message (a keyboard has no score); a piece starts with a
 * tempo and a 4/4 time signature record. Each channel is a part. Rules as {@code MidiCodec}:
 * velocity-0 note-ons end notes, a re-strike ends the sounding note.
 */
public final class LiveRecorder implements Receiver {

    public static final int PPQ = 480;
    private static final double TICKS_PER_MICRO = PPQ / 500_000.0; // 120 bpm

    private final String corpus;
    private final String piece;
    private final Consumer<MidiEventRecord> sink;
    private final Map<Integer, long[]> sounding =
            new HashMap<>(); // channel*128+pitch -> {tick, velocity}
    private final int[] programs = new int[16];
    private long startMicros = -1;
    private long startWallMicros;
    private long lastTick;
    private long seq;
    private boolean closed;

    public LiveRecorder(String corpus, String piece, Consumer<MidiEventRecord> sink) {
        this.corpus = corpus;
        this.piece = piece;
        this.sink = sink;
    }

    /** Records sent so far. */
    public synchronized long events() {
        return seq;
    }

    /**
     * @param timeStamp microseconds from the device, or -1 when it has none (the wall clock is
     *     used)
     */
    @Override
    public synchronized void send(MidiMessage message, long timeStamp) {
        if (closed || !(message instanceof ShortMessage m)) {
            return;
        }
        long micros = timeStamp >= 0 ? timeStamp : System.nanoTime() / 1000;
        if (startMicros < 0) {
            startMicros = micros;
            startWallMicros = System.nanoTime() / 1000;
            emit(
                    new MidiEventRecord(
                            MidiEventRecord.VERSION,
                            corpus,
                            piece,
                            seq,
                            MidiEventRecord.TIME_SIGNATURE,
                            PPQ,
                            0L,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            4,
                            4,
                            null));
            emit(
                    new MidiEventRecord(
                            MidiEventRecord.VERSION,
                            corpus,
                            piece,
                            seq,
                            MidiEventRecord.TEMPO,
                            PPQ,
                            0L,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            null,
                            500_000,
                            null,
                            null,
                            null));
        }
        long tick = Math.max(lastTick, Math.round((micros - startMicros) * TICKS_PER_MICRO));
        lastTick = tick;
        int command = m.getCommand();
        if (command == ShortMessage.PROGRAM_CHANGE) {
            programs[m.getChannel()] = m.getData1();
            return;
        }
        if (command != ShortMessage.NOTE_ON && command != ShortMessage.NOTE_OFF) {
            return;
        }
        int key = m.getChannel() * 128 + m.getData1();
        long[] open = sounding.remove(key);
        if (open != null) {
            end(key, open, tick);
        }
        if (command == ShortMessage.NOTE_ON && m.getData2() > 0) {
            sounding.put(key, new long[] {tick, m.getData2(), programs[m.getChannel()]});
        }
    }

    private void end(int key, long[] open, long tick) {
        if (tick <= open[0]) {
            return; // no length, no sound
        }
        int channel = key / 128;
        Note n =
                new Note(
                        open[0],
                        tick - open[0],
                        key % 128,
                        (int) open[1],
                        channel,
                        (int) open[2],
                        channel);
        emit(MidiEvents.note(n, corpus, piece, seq, PPQ));
    }

    private void emit(MidiEventRecord r) {
        sink.accept(r);
        seq++;
    }

    /** Ends sounding notes now and sends the end-of-piece marker. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (startMicros < 0) {
            return; // nothing was played
        }
        // device timestamps and the wall clock have different origins: measure from the first
        long now =
                Math.max(
                        lastTick,
                        Math.round((System.nanoTime() / 1000 - startWallMicros) * TICKS_PER_MICRO));
        for (Map.Entry<Integer, long[]> e : Map.copyOf(sounding).entrySet()) {
            end(e.getKey(), e.getValue(), now);
        }
        sounding.clear();
        sink.accept(MidiEvents.end(corpus, piece, seq, PPQ, now));
    }
}

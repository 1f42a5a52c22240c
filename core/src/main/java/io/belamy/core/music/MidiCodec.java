package io.belamy.core.music;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;

/**
 * Reads Standard MIDI Files (type 0 and 1) into a {@link Piece} and writes a piece back as a type-1
 * file, on {@code javax.sound.midi}.
 *
 * <p>Reading rules:
 *
 * <ul>
 *   <li>A note-on with velocity 0 is a note-off. Notes pair within their track by channel and
 *       pitch.
 *   <li>A note-on for a key that is already sounding ends the sounding note there (a re-strike); a
 *       note-off that follows at the same tick ends nothing more (sequencers often write the new
 *       note-on before the old note-off). A note-off for a key that is not sounding is ignored, and
 *       so is a second note-on at the same tick.
 *   <li>A note still sounding when its track ends lasts to the track's last event. Notes of zero
 *       length (on and off at the same tick) are dropped: they make no sound.
 *   <li>Program changes are channel state across tracks; those at a tick apply to notes starting at
 *       that tick. Without one, a channel plays program 0.
 *   <li>A part is one (track, channel, program); parts are numbered in that order.
 * </ul>
 *
 * <p>Writing: track 0 holds tempo changes and time signatures; each part gets its own track with a
 * program change before its notes (and again wherever another part changed its channel's program in
 * between). Reading a written piece gives the same piece back.
 */
public final class MidiCodec {

    private static final int META_TEMPO = 0x51;
    private static final int META_TIME_SIGNATURE = 0x58;
    private static final int META_TRACK_NAME = 0x03;

    private MidiCodec() {}

    /** Reads a file; {@link MidiFormatException} says what is wrong with one that is not MIDI. */
    public static Piece read(Path file) throws IOException {
        return read(Files.readAllBytes(file));
    }

    /** Reads Standard MIDI File bytes. */
    public static Piece read(byte[] bytes) throws MidiFormatException {
        checkStructure(bytes);
        Sequence sequence;
        try {
            sequence = MidiSystem.getSequence(new ByteArrayInputStream(bytes));
        } catch (InvalidMidiDataException e) {
            throw new MidiFormatException("malformed MIDI data: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new MidiFormatException("malformed MIDI data: a track ends inside an event", e);
        } catch (IOException e) {
            throw new MidiFormatException("malformed MIDI data: " + e, e);
        }
        return fromSequence(sequence);
    }

    /** Checks the chunk structure, so that bad files get a precise reason. */
    static void checkStructure(byte[] b) throws MidiFormatException {
        if (b.length < 4 || !"MThd".equals(ascii(b, 0))) {
            throw new MidiFormatException(
                    "not a Standard MIDI File: it starts with "
                            + hex(b, 0, Math.min(4, b.length))
                            + ", not \"MThd\"");
        }
        if (b.length < 14) {
            throw new MidiFormatException(
                    "truncated: " + b.length + " bytes, shorter than a MIDI header (14)");
        }
        long headerLength = u32(b, 4);
        if (headerLength < 6) {
            throw new MidiFormatException("header length is " + headerLength + ", at least 6");
        }
        int format = u16(b, 8);
        int tracks = u16(b, 10);
        int division = u16(b, 12);
        if (format == 2) {
            throw new MidiFormatException(
                    "SMF format 2 (independent sequences) is not supported, only 0 and 1");
        }
        if (format > 2) {
            throw new MidiFormatException("unknown SMF format " + format + " (expected 0 or 1)");
        }
        if (tracks == 0) {
            throw new MidiFormatException("the header declares zero tracks");
        }
        if ((division & 0x8000) != 0) {
            throw new MidiFormatException(
                    "SMPTE time division is not supported, only ticks per quarter note");
        }
        if (division == 0) {
            throw new MidiFormatException("division (ticks per quarter note) is 0");
        }
        long pos = 8 + headerLength;
        int found = 0;
        while (found < tracks) {
            if (pos + 8 > b.length) {
                throw new MidiFormatException(
                        "truncated: the header declares "
                                + tracks
                                + " tracks, the file ends after "
                                + found
                                + " (at byte "
                                + b.length
                                + ")");
            }
            String id = ascii(b, (int) pos);
            long length = u32(b, (int) pos + 4);
            if (pos + 8 + length > b.length) {
                throw new MidiFormatException(
                        "truncated: "
                                + (id.equals("MTrk")
                                        ? "track " + (found + 1)
                                        : "chunk \"" + id + "\"")
                                + " at byte "
                                + pos
                                + " declares "
                                + length
                                + " bytes, only "
                                + (b.length - pos - 8)
                                + " remain");
            }
            if (id.equals("MTrk")) {
                found++;
            }
            pos += 8 + length;
        }
    }

    private static Piece fromSequence(Sequence sequence) throws MidiFormatException {
        if (sequence.getDivisionType() != Sequence.PPQ) {
            throw new MidiFormatException("SMPTE time division is not supported");
        }
        Track[] tracks = sequence.getTracks();
        // Program changes: channel state across tracks, in (tick, track, position) order.
        List<long[]> changes = new ArrayList<>(); // {tick, track, position, channel, program}
        List<TempoChange> tempos = new ArrayList<>();
        List<TimeSignature> signatures = new ArrayList<>();
        List<long[]> metaOrder = new ArrayList<>(); // {tick, track, position, index, kind}
        for (int t = 0; t < tracks.length; t++) {
            for (int i = 0; i < tracks[t].size(); i++) {
                MidiEvent e = tracks[t].get(i);
                MidiMessage m = e.getMessage();
                if (m instanceof ShortMessage s && s.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                    changes.add(new long[] {e.getTick(), t, i, s.getChannel(), s.getData1()});
                } else if (m instanceof MetaMessage meta) {
                    byte[] d = meta.getData();
                    if (meta.getType() == META_TEMPO && d.length == 3) {
                        int micros = ((d[0] & 0xFF) << 16) | ((d[1] & 0xFF) << 8) | (d[2] & 0xFF);
                        if (micros > 0) {
                            metaOrder.add(new long[] {e.getTick(), t, i, tempos.size(), 0});
                            tempos.add(new TempoChange(e.getTick(), micros));
                        }
                    } else if (meta.getType() == META_TIME_SIGNATURE
                            && d.length >= 2
                            && (d[0] & 0xFF) >= 1
                            && (d[1] & 0xFF) <= 7) {
                        metaOrder.add(new long[] {e.getTick(), t, i, signatures.size(), 1});
                        signatures.add(
                                new TimeSignature(e.getTick(), d[0] & 0xFF, 1 << (d[1] & 0xFF)));
                    }
                }
            }
        }
        Comparator<long[]> byTime =
                Comparator.<long[]>comparingLong(a -> a[0])
                        .thenComparingLong(a -> a[1])
                        .thenComparingLong(a -> a[2]);
        changes.sort(byTime);
        List<TreeMap<Long, Integer>> programs = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            programs.add(new TreeMap<>());
        }
        for (long[] c : changes) {
            programs.get((int) c[3]).put(c[0], (int) c[4]); // the last at a tick wins
        }
        metaOrder.sort(byTime);
        List<TempoChange> orderedTempos = new ArrayList<>();
        List<TimeSignature> orderedSignatures = new ArrayList<>();
        for (long[] m : metaOrder) {
            if (m[4] == 0) {
                orderedTempos.add(tempos.get((int) m[3]));
            } else {
                orderedSignatures.add(signatures.get((int) m[3]));
            }
        }

        // Notes, paired within each track; part keys (track, channel, program) numbered after.
        List<long[]> raw =
                new ArrayList<>(); // {tick, duration, pitch, velocity, channel, program, track}
        for (int t = 0; t < tracks.length; t++) {
            Map<Integer, long[]> sounding =
                    new HashMap<>(); // channel*128+pitch -> {onset, velocity}
            long trackEnd = 0;
            for (int i = 0; i < tracks[t].size(); i++) {
                MidiEvent e = tracks[t].get(i);
                trackEnd = Math.max(trackEnd, e.getTick());
                if (!(e.getMessage() instanceof ShortMessage s)) {
                    continue;
                }
                int command = s.getCommand();
                if (command != ShortMessage.NOTE_ON && command != ShortMessage.NOTE_OFF) {
                    continue;
                }
                int key = s.getChannel() * 128 + s.getData1();
                long tick = e.getTick();
                long[] open = sounding.get(key); // {onset, velocity, re-struck at}
                boolean on = command == ShortMessage.NOTE_ON && s.getData2() > 0;
                if (on) {
                    if (open != null && open[0] == tick) {
                        continue; // a second note-on at the same tick: one note
                    }
                    boolean restrike = open != null;
                    if (restrike) {
                        addNote(raw, open, tick, key, t, programs);
                    }
                    sounding.put(key, new long[] {tick, s.getData2(), restrike ? tick : -1});
                } else if (open != null) {
                    if (open[0] == tick && open[2] == tick) {
                        // on-before-off at one tick: the off ends the note the re-strike ended
                        open[2] = -1;
                        continue;
                    }
                    sounding.remove(key);
                    addNote(raw, open, tick, key, t, programs);
                }
            }
            for (Map.Entry<Integer, long[]> open : sounding.entrySet()) {
                addNote(raw, open.getValue(), trackEnd, open.getKey(), t, programs);
            }
        }
        TreeMap<Long, Integer> partIndex = new TreeMap<>();
        for (long[] n : raw) {
            partIndex.put(partKey(n[6], n[4], n[5]), 0);
        }
        int next = 0;
        for (Map.Entry<Long, Integer> e : partIndex.entrySet()) {
            e.setValue(next++);
        }
        List<Note> notes = new ArrayList<>(raw.size());
        for (long[] n : raw) {
            notes.add(
                    new Note(
                            n[0],
                            n[1],
                            (int) n[2],
                            (int) n[3],
                            (int) n[4],
                            (int) n[5],
                            partIndex.get(partKey(n[6], n[4], n[5]))));
        }
        long length = 0;
        for (Track t : tracks) {
            length = Math.max(length, t.ticks()); // the end-of-track event
        }
        return new Piece(sequence.getResolution(), notes, orderedTempos, orderedSignatures, length);
    }

    private static void addNote(
            List<long[]> out,
            long[] open,
            long end,
            int key,
            int track,
            List<TreeMap<Long, Integer>> programs) {
        long onset = open[0];
        if (end <= onset) {
            return; // zero length: no sound
        }
        int channel = key / 128;
        Map.Entry<Long, Integer> program = programs.get(channel).floorEntry(onset);
        out.add(
                new long[] {
                    onset,
                    end - onset,
                    key % 128,
                    open[1],
                    channel,
                    program == null ? 0 : program.getValue(),
                    track
                });
    }

    private static long partKey(long track, long channel, long program) {
        return (track << 16) | (channel << 8) | program;
    }

    /** A type-1 Standard MIDI File of the piece, its parts' tracks named "part 0", "part 1" ... */
    public static byte[] write(Piece piece) {
        return write(piece, List.of());
    }

    /**
     * A type-1 Standard MIDI File of the piece, with one track per part named by {@code partNames}
     * (a part without a name is "part N"; a named part without notes still gets its track).
     */
    public static byte[] write(Piece piece, List<String> partNames) {
        try {
            Sequence sequence = new Sequence(Sequence.PPQ, piece.ppq());
            Track conductor = sequence.createTrack();
            for (TimeSignature s : piece.timeSignatures()) {
                int power = Integer.numberOfTrailingZeros(s.denominator());
                conductor.add(
                        meta(
                                META_TIME_SIGNATURE,
                                new byte[] {(byte) s.numerator(), (byte) power, 24, 8},
                                s.tick()));
            }
            for (TempoChange c : piece.tempos()) {
                int m = c.microsPerQuarter();
                conductor.add(
                        meta(
                                META_TEMPO,
                                new byte[] {(byte) (m >> 16), (byte) (m >> 8), (byte) m},
                                c.tick()));
            }
            int parts = Math.max(piece.parts(), partNames.size());
            List<List<long[]>> perPart =
                    new ArrayList<>(); // {tick, order, command, channel, d1, d2}
            for (int p = 0; p < parts; p++) {
                perPart.add(new ArrayList<>());
            }
            // Program changes wherever a channel's program differs from the last one sent on it.
            int[] channelProgram = new int[16];
            java.util.Arrays.fill(channelProgram, -1);
            for (Note n : piece.notes()) { // notes are in onset order
                List<long[]> events = perPart.get(n.part());
                if (channelProgram[n.channel()] != n.program()) {
                    channelProgram[n.channel()] = n.program();
                    events.add(
                            new long[] {
                                n.tick(),
                                0,
                                ShortMessage.PROGRAM_CHANGE,
                                n.channel(),
                                n.program(),
                                0
                            });
                }
                events.add(
                        new long[] {n.end(), 1, ShortMessage.NOTE_OFF, n.channel(), n.pitch(), 0});
                events.add(
                        new long[] {
                            n.tick(), 2, ShortMessage.NOTE_ON, n.channel(), n.pitch(), n.velocity()
                        });
            }
            Comparator<long[]> order =
                    Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]);
            for (int p = 0; p < parts; p++) {
                Track track = sequence.createTrack();
                List<long[]> events = perPart.get(p);
                events.sort(order); // at one tick: program change, then note-offs, then note-ons
                String name = p < partNames.size() ? partNames.get(p) : "part " + p;
                track.add(meta(META_TRACK_NAME, name.getBytes(StandardCharsets.US_ASCII), 0));
                for (long[] e : events) {
                    track.add(
                            new MidiEvent(
                                    new ShortMessage(
                                            (int) e[2], (int) e[3], (int) e[4], (int) e[5]),
                                    e[0]));
                }
            }
            if (conductor.ticks() < piece.length()) { // a closing rest: end the track later
                MidiEvent endOfTrack = conductor.get(conductor.size() - 1);
                endOfTrack.setTick(piece.length());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MidiSystem.write(sequence, 1, out);
            return out.toByteArray();
        } catch (InvalidMidiDataException | IOException e) {
            throw new IllegalStateException("could not write a MIDI file: " + e.getMessage(), e);
        }
    }

    private static MidiEvent meta(int type, byte[] data, long tick)
            throws InvalidMidiDataException {
        return new MidiEvent(new MetaMessage(type, data, data.length), tick);
    }

    private static String ascii(byte[] b, int at) {
        if (at + 4 > b.length) {
            return "";
        }
        return new String(b, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b, int from, int to) {
        if (to <= from) {
            return "nothing (empty file)";
        }
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            s.append(String.format("%02x", b[i] & 0xFF)).append(i + 1 < to ? " " : "");
        }
        return s.toString();
    }

    private static long u32(byte[] b, int at) {
        return ((long) (b[at] & 0xFF) << 24)
                | ((b[at + 1] & 0xFF) << 16)
                | ((b[at + 2] & 0xFF) << 8)
                | (b[at + 3] & 0xFF);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }
}

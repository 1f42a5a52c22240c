package io.belamy.core.music;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Standard MIDI Files inside a Doom WAD archive (as Freedoom ships its music): lumps named
 * {@code D_*} whose data starts with {@code MThd}. (Music lumps in the older MUS format are not
 * MIDI and are left out.)
 *
 * <p>A WAD is a 12-byte header ({@code IWAD} or {@code PWAD}, lump count, directory offset, little
 * endian) and a directory of 16-byte entries (offset, size, 8-byte name).
 */
public final class Wad {

    /** One MIDI lump: its name (e.g. {@code D_E1M1}) and bytes. */
    public record MidiLump(String name, byte[] bytes) {}

    private Wad() {}

    /** Whether the bytes start like a WAD. */
    public static boolean isWad(byte[] b) {
        if (b.length < 4) {
            return false;
        }
        String id = new String(b, 0, 4, StandardCharsets.ISO_8859_1);
        return id.equals("IWAD") || id.equals("PWAD");
    }

    /**
     * The MIDI music lumps, in directory order.
     *
     * @throws MidiFormatException when the archive's header or directory is damaged
     */
    public static List<MidiLump> midiLumps(byte[] b) throws MidiFormatException {
        if (!isWad(b) || b.length < 12) {
            throw new MidiFormatException("not a WAD archive (no IWAD/PWAD header)");
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int count = buf.getInt(4);
        int directory = buf.getInt(8);
        if (count < 0 || directory < 12 || (long) directory + 16L * count > b.length) {
            throw new MidiFormatException(
                    "damaged WAD: a directory of "
                            + count
                            + " entries at byte "
                            + directory
                            + " does not fit in "
                            + b.length
                            + " bytes");
        }
        List<MidiLump> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = directory + 16 * i;
            int offset = buf.getInt(at);
            int size = buf.getInt(at + 4);
            int nameEnd = 0;
            while (nameEnd < 8 && b[at + 8 + nameEnd] != 0) {
                nameEnd++;
            }
            String name = new String(b, at + 8, nameEnd, StandardCharsets.ISO_8859_1);
            if (!name.startsWith("D_") || size < 4) {
                continue;
            }
            if (offset < 0 || size < 0 || (long) offset + size > b.length) {
                throw new MidiFormatException(
                        "damaged WAD: lump " + name + " lies outside the file");
            }
            if (b[offset] == 'M'
                    && b[offset + 1] == 'T'
                    && b[offset + 2] == 'h'
                    && b[offset + 3] == 'd') {
                out.add(new MidiLump(name, Arrays.copyOfRange(b, offset, offset + size)));
            }
        }
        return out;
    }
}

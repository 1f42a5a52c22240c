package io.belamy.core.music;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws a piece as a multi-track piano roll: time left to right (bar lines from the time
 * signatures), pitch bottom to top, one lane per instrument family, notes as bars colored by
 * family.
 */
public final class PianoRollImage {

    private static final int PIXELS_PER_QUARTER = 24;
    private static final int PIXELS_PER_SEMITONE = 3;
    private static final int LABEL_WIDTH = 70;
    private static final int MAX_WIDTH = 16_000;

    private static final Color[] COLORS = {
        new Color(0xC0392B), // drums
        new Color(0x2471A3), // bass
        new Color(0x229954), // guitar
        new Color(0x7D3C98), // piano
        new Color(0xD68910), // strings
    };

    private PianoRollImage() {}

    /** Renders the piece into an image. */
    public static BufferedImage draw(Piece piece) {
        List<String> families = RollSpec.FAMILIES;
        List<List<Note>> lanes = new ArrayList<>();
        int[] low = new int[families.size()];
        int[] high = new int[families.size()];
        for (int f = 0; f < families.size(); f++) {
            lanes.add(new ArrayList<>());
            low[f] = 127;
            high[f] = 0;
        }
        for (Note n : piece.notes()) {
            int f = families.indexOf(RollSpec.family(n));
            lanes.get(f).add(n);
            low[f] = Math.min(low[f], n.pitch());
            high[f] = Math.max(high[f], n.pitch());
        }
        double pxPerTick = (double) PIXELS_PER_QUARTER / piece.ppq();
        long length = Math.max(piece.length(), 1);
        if (length * pxPerTick > MAX_WIDTH) {
            pxPerTick = (double) MAX_WIDTH / length;
        }
        int width = LABEL_WIDTH + (int) Math.ceil(length * pxPerTick) + 1;
        int height = 8;
        int[] top = new int[families.size()];
        for (int f = 0; f < families.size(); f++) {
            top[f] = height;
            if (!lanes.get(f).isEmpty()) {
                height += (high[f] - low[f] + 3) * PIXELS_PER_SEMITONE + 8;
            }
        }
        height = Math.max(height, 40);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            drawBarLines(g, piece, pxPerTick, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int f = 0; f < families.size(); f++) {
                if (lanes.get(f).isEmpty()) {
                    continue;
                }
                int laneHeight = (high[f] - low[f] + 3) * PIXELS_PER_SEMITONE;
                g.setColor(new Color(0xF4F6F7));
                g.fillRect(0, top[f], LABEL_WIDTH - 4, laneHeight);
                g.setColor(COLORS[f]);
                g.drawString(families.get(f), 4, top[f] + 12);
                for (Note n : lanes.get(f)) {
                    int x = LABEL_WIDTH + (int) (n.tick() * pxPerTick);
                    int w = Math.max(1, (int) (n.duration() * pxPerTick) - 1);
                    int y = top[f] + (high[f] + 1 - n.pitch()) * PIXELS_PER_SEMITONE;
                    g.fillRect(x, y, w, PIXELS_PER_SEMITONE);
                }
                g.setColor(new Color(0xD5D8DC));
                g.drawLine(0, top[f] + laneHeight + 3, width, top[f] + laneHeight + 3);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawBarLines(Graphics2D g, Piece piece, double pxPerTick, int height) {
        List<TimeSignature> signatures = new ArrayList<>(piece.timeSignatures());
        if (signatures.isEmpty() || signatures.get(0).tick() > 0) {
            signatures.add(0, new TimeSignature(0, 4, 4));
        }
        g.setColor(new Color(0xE5E8E8));
        g.setStroke(new BasicStroke(1));
        for (int i = 0; i < signatures.size(); i++) {
            TimeSignature s = signatures.get(i);
            long end = i + 1 < signatures.size() ? signatures.get(i + 1).tick() : piece.length();
            double bar = s.barTicks(piece.ppq());
            for (double t = s.tick(); t < end; t += bar) {
                int x = LABEL_WIDTH + (int) (t * pxPerTick);
                g.drawLine(x, 0, x, height);
            }
        }
    }

    /** Writes a PNG. */
    public static void write(Piece piece, Path png) throws IOException {
        if (!ImageIO.write(draw(piece), "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }
}

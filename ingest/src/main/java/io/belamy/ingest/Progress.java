package io.belamy.ingest;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress line on stderr: a bar redrawn in place on a terminal, a line every ~10% otherwise
 * (logs, CI).
 *
 * <pre>
 * [#########...........]  45%  1.2/2.6 MB  3/7 files  1.1 MB/s
 * </pre>
 */
public final class Progress {

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final long totalBytes;
    private final int totalFiles;
    private final String unit;
    private final long start = System.nanoTime();
    private long bytes;
    private int files;
    private long lastDraw;
    private int lastDecile = -1;

    /**
     * @param terminal redraw in place (a console), else print occasional lines
     * @param unit what the file count counts, e.g. "files"
     */
    public Progress(
            PrintWriter out, boolean terminal, long totalBytes, int totalFiles, String unit) {
        this.out = out;
        this.terminal = terminal;
        this.totalBytes = Math.max(1, totalBytes);
        this.totalFiles = totalFiles;
        this.unit = unit;
    }

    /** Whether stderr looks like a terminal. */
    public static boolean isTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    /** Counts bytes done. */
    public synchronized void addBytes(long n) {
        bytes += n;
        draw(false);
    }

    /** Counts a file done (ingested or skipped). */
    public synchronized void fileDone() {
        files++;
        draw(false);
    }

    /** Ends a redrawn line so that a message can be printed on its own line. */
    public synchronized void pauseLine() {
        if (terminal && lastDraw != 0) {
            out.println();
            lastDraw = 0;
        }
    }

    /** Draws the final state and ends the line. */
    public synchronized void finish() {
        draw(true);
        if (terminal) {
            out.println();
        }
    }

    private void draw(boolean force) {
        long now = System.nanoTime();
        int percent = (int) Math.min(100, bytes * 100 / totalBytes);
        if (terminal) {
            if (!force && now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            out.print("\r" + line(percent, now));
            out.flush();
        } else {
            int decile = percent / 10;
            if (force || decile > lastDecile) {
                lastDecile = decile;
                out.println(line(percent, now));
            }
        }
    }

    private String line(int percent, long now) {
        int filled = percent / 5;
        double seconds = Math.max(1e-3, (now - start) / 1e9);
        return String.format(
                Locale.ROOT,
                "[%s%s] %3d%%  %s/%s  %d/%d %s  %s/s",
                "#".repeat(filled),
                ".".repeat(20 - filled),
                percent,
                size(bytes),
                size(totalBytes),
                files,
                totalFiles,
                unit,
                size((long) (bytes / seconds)));
    }

    /** Bytes as B, KB, MB or GB (powers of 1000). */
    public static String size(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

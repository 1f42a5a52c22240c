package io.belamy.ingest;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.music.MidiCodec;
import io.belamy.core.music.MidiEvents;
import io.belamy.core.music.MidiFormatException;
import io.belamy.core.music.Piece;
import io.belamy.core.music.Wad;
import io.belamy.core.topic.CorpusIndexRecord;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends MIDI files to {@code <prefix>corpus.midi}: one record per event and an end-of-piece marker
 * ({@link MidiEvents}), keyed by piece id. Each piece goes in one Kafka transaction together with
 * its entry on {@code <prefix>corpus.index}, so a piece is in the corpus completely or not at all;
 * a piece whose bytes the corpus already holds is skipped. Files that are not MIDI, truncated or
 * corrupt are reported by name and reason and skipped; the rest go through.
 *
 * <p>Inputs: files ({@code .gz} decompressed), directories (recursively: {@code .mid}, {@code
 * .midi}, {@code .smf}, {@code .kar} and {@code .wad} files, hidden ones skipped), and Doom WAD
 * archives, whose MIDI music lumps become pieces {@code <wad>/<lump>}. Piece ids follow {@link
 * TextIngest}'s document ids.
 */
public final class MidiIngest {

    /**
     * @param corpus corpus name the pieces belong to
     * @param force send pieces even when the corpus already holds them
     */
    public record Options(String corpus, boolean force) {
        public Options {
            if (corpus == null || corpus.isBlank()) {
                throw new IllegalArgumentException("corpus name must not be empty");
            }
        }
    }

    /** The outcome of one piece (or of a file that gave none). */
    public enum Status {
        INGESTED,
        ALREADY_INGESTED,
        NO_NOTES,
        NOT_MIDI,
        UNREADABLE
    }

    /** One piece: what happened, its size, and why where relevant. */
    public record PieceResult(
            Path file, String piece, Status status, int events, int notes, String message) {}

    /** All pieces of a run. */
    public record Summary(List<PieceResult> pieces, long nanos) {
        public long count(Status s) {
            return pieces.stream().filter(p -> p.status() == s).count();
        }

        public long events() {
            return pieces.stream().mapToLong(PieceResult::events).sum();
        }

        public long notes() {
            return pieces.stream().mapToLong(PieceResult::notes).sum();
        }

        /** Whether a file was skipped for being unreadable, not MIDI or corrupt. */
        public boolean partial() {
            return count(Status.NOT_MIDI) > 0 || count(Status.UNREADABLE) > 0;
        }
    }

    private static final Set<String> EXTENSIONS = Set.of("mid", "midi", "smf", "kar", "wad");

    private final KafkaSettings kafka;
    private final Topics topics;
    private final Options options;
    private final PrintWriter log;

    public MidiIngest(KafkaSettings kafka, Topics topics, Options options, PrintWriter log) {
        this.kafka = kafka;
        this.topics = topics;
        this.options = options;
        this.log = log;
    }

    /** Sends every piece under {@code paths}. */
    public Summary run(List<Path> paths, boolean terminal) throws Exception {
        long start = System.nanoTime();
        List<PieceResult> results = new ArrayList<>();
        List<TextIngest.Source> sources = expand(paths, results);
        for (PieceResult r : results) {
            log.println(r.file() + ": " + r.message());
        }
        Set<String> known =
                options.force() ? new HashSet<>() : Ledger.hashes(kafka, topics, options.corpus());
        long totalBytes = 0;
        for (TextIngest.Source s : sources) {
            totalBytes += Files.size(s.file());
        }
        Progress progress = new Progress(log, terminal, totalBytes, sources.size(), "files");
        try (KafkaProducer<String, byte[]> producer = Ledger.producer(kafka)) {
            for (TextIngest.Source s : sources) {
                for (PieceResult r : ingestFile(producer, s, known)) {
                    results.add(r);
                    if (r.status() != Status.INGESTED) {
                        progress.pauseLine();
                        log.println(r.file() + ": " + r.message());
                    }
                }
                progress.addBytes(Files.size(s.file()));
                progress.fileDone();
            }
        }
        progress.finish();
        return new Summary(results, System.nanoTime() - start);
    }

    private List<PieceResult> ingestFile(
            KafkaProducer<String, byte[]> producer, TextIngest.Source s, Set<String> known)
            throws IOException {
        byte[] bytes;
        try {
            bytes = TextIngest.read(s.file());
        } catch (IOException e) {
            return List.of(
                    new PieceResult(
                            s.file(), s.document(), Status.UNREADABLE, 0, 0, e.getMessage()));
        }
        if (!Wad.isWad(bytes)) {
            return List.of(ingestPiece(producer, s.file(), s.document(), bytes, known));
        }
        List<Wad.MidiLump> lumps;
        try {
            lumps = Wad.midiLumps(bytes);
        } catch (MidiFormatException e) {
            return List.of(
                    new PieceResult(s.file(), s.document(), Status.NOT_MIDI, 0, 0, e.getMessage()));
        }
        if (lumps.isEmpty()) {
            return List.of(
                    new PieceResult(
                            s.file(),
                            s.document(),
                            Status.NOT_MIDI,
                            0,
                            0,
                            "a WAD archive without MIDI music (no D_* lump starts with MThd)"));
        }
        List<PieceResult> out = new ArrayList<>();
        for (Wad.MidiLump lump : lumps) {
            out.add(
                    ingestPiece(
                            producer,
                            s.file(),
                            s.document() + "/" + lump.name(),
                            lump.bytes(),
                            known));
        }
        return out;
    }

    private PieceResult ingestPiece(
            KafkaProducer<String, byte[]> producer,
            Path file,
            String id,
            byte[] bytes,
            Set<String> known)
            throws IOException {
        String sha = Ledger.sha256(bytes);
        if (known.contains(sha)) {
            return new PieceResult(
                    file,
                    id,
                    Status.ALREADY_INGESTED,
                    0,
                    0,
                    id + " is already in corpus " + options.corpus() + " (--force sends it again)");
        }
        Piece piece;
        try {
            piece = MidiCodec.read(bytes);
        } catch (MidiFormatException e) {
            return new PieceResult(file, id, Status.NOT_MIDI, 0, 0, id + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return new PieceResult(
                    file, id, Status.NOT_MIDI, 0, 0, id + ": unreadable MIDI data: " + e);
        }
        if (piece.notes().isEmpty()) {
            return new PieceResult(file, id, Status.NO_NOTES, 0, 0, id + " has no notes; skipped");
        }
        List<MidiEventRecord> records = MidiEvents.toRecords(piece, options.corpus(), id);
        producer.beginTransaction();
        try {
            for (MidiEventRecord r : records) {
                producer.send(
                        new ProducerRecord<>(
                                topics.corpusMidi().name(), id, MidiEventRecord.CODEC.encode(r)));
            }
            producer.send(
                    Ledger.entry(
                            topics,
                            new CorpusIndexRecord(
                                    CorpusIndexRecord.VERSION,
                                    options.corpus(),
                                    id,
                                    sha,
                                    bytes.length,
                                    records.size(),
                                    System.currentTimeMillis())));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw new IOException("sending " + id + " failed: " + e.getMessage(), e);
        }
        known.add(sha);
        return new PieceResult(
                file, id, Status.INGESTED, records.size(), piece.notes().size(), null);
    }

    /** MIDI files under the paths; missing paths become UNREADABLE results. */
    static List<TextIngest.Source> expand(List<Path> paths, List<PieceResult> problems)
            throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                problems.add(
                        new PieceResult(
                                path, null, Status.UNREADABLE, 0, 0, "no such file or directory"));
            } else {
                files.add(path); // directories are expanded below, filtered by extension
            }
        }
        List<TextIngest.FileResult> missing = new ArrayList<>();
        List<TextIngest.Source> all = TextIngest.expand(files, missing);
        List<TextIngest.Source> out = new ArrayList<>();
        for (TextIngest.Source s : all) {
            boolean direct = paths.stream().anyMatch(p -> p.equals(s.file()));
            if (direct || EXTENSIONS.contains(extension(s.file()))) {
                out.add(s);
            }
        }
        return out;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }
}

package io.belamy.ingest;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.topic.CorpusIndexRecord;
import io.belamy.core.topic.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends text files to {@code <prefix>corpus.text}: files and directories (recursively; hidden files
 * skipped), {@code .gz} decompressed, UTF-8 checked, split into chunks of at most 64 KiB on
 * paragraph boundaries. Each file goes in one Kafka transaction together with its ledger record on
 * {@code <prefix>corpus.index}, so a file is in the corpus completely or not at all, and a file
 * whose content the corpus already holds is skipped.
 *
 * <p>Document ids: a file given directly is named by its file name; a file found under a given
 * directory by its path relative to that directory's parent ({@code austen/persuasion.txt}); a
 * {@code .gz} suffix is dropped.
 */
public final class TextIngest {

    /** What to do with a file that is not valid UTF-8. */
    public enum BadBytes {
        /** Report it and leave it out. */
        SKIP_FILE,
        /** Replace each invalid sequence with U+FFFD and send it. */
        REPLACE;

        /** Parses {@code skip-file} or {@code replace}. */
        public static BadBytes parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "skip-file" -> SKIP_FILE;
                case "replace" -> REPLACE;
                default ->
                        throw new IllegalArgumentException(
                                "--on-bad-bytes \"" + s + "\" is not one of: skip-file, replace");
            };
        }
    }

    /**
     * @param corpus corpus name the documents belong to
     * @param force send files even when the corpus already holds their content
     */
    public record Options(String corpus, BadBytes onBadBytes, boolean force) {
        public Options {
            if (corpus == null || corpus.isBlank()) {
                throw new IllegalArgumentException("corpus name must not be empty");
            }
        }
    }

    /** The outcome of one file. */
    public enum Status {
        INGESTED,
        ALREADY_INGESTED,
        EMPTY,
        INVALID_UTF8,
        UNREADABLE
    }

    /** One file: what happened and, where relevant, why. */
    public record FileResult(
            Path file, String document, Status status, long bytes, int chunks, String message) {}

    /** All files of a run. */
    public record Summary(List<FileResult> files, long nanos) {
        public long count(Status s) {
            return files.stream().filter(f -> f.status() == s).count();
        }

        public long bytesIngested() {
            return files.stream()
                    .filter(f -> f.status() == Status.INGESTED)
                    .mapToLong(FileResult::bytes)
                    .sum();
        }

        public long chunks() {
            return files.stream().mapToLong(FileResult::chunks).sum();
        }

        /** Whether some file could not be sent (invalid UTF-8 skipped, unreadable). */
        public boolean partial() {
            return count(Status.INVALID_UTF8) > 0 || count(Status.UNREADABLE) > 0;
        }
    }

    /** Largest file read, after decompression. */
    static final long MAX_FILE_BYTES = 512L * 1024 * 1024;

    private final KafkaSettings kafka;
    private final Topics topics;
    private final Options options;
    private final PrintWriter log;
    private final TextChunker chunker = new TextChunker(CorpusChunk.MAX_TEXT_BYTES);

    public TextIngest(KafkaSettings kafka, Topics topics, Options options, PrintWriter log) {
        this.kafka = kafka;
        this.topics = topics;
        this.options = options;
        this.log = log;
    }

    /** A file and its document id. */
    record Source(Path file, String document) {}

    /**
     * Sends every file under {@code paths}.
     *
     * @throws IllegalArgumentException when two files would get the same document id
     */
    public Summary run(List<Path> paths, boolean terminal) throws Exception {
        long start = System.nanoTime();
        List<FileResult> results = new ArrayList<>();
        List<Source> sources = expand(paths, results);
        Set<String> known =
                options.force() ? new HashSet<>() : Ledger.hashes(kafka, topics, options.corpus());
        long totalBytes = 0;
        for (Source s : sources) {
            totalBytes += Files.size(s.file());
        }
        Progress progress = new Progress(log, terminal, totalBytes, sources.size(), "files");
        try (KafkaProducer<String, byte[]> producer = Ledger.producer(kafka)) {
            List<Prepared> group = new ArrayList<>();
            long groupBytes = 0;
            for (Source s : sources) {
                Prepared p = prepare(s, known);
                if (p.result() != null) {
                    results.add(p.result());
                    progress.pauseLine();
                    log.println(describe(p.result()));
                    progress.addBytes(Files.size(s.file()));
                    progress.fileDone();
                    continue;
                }
                known.add(p.sha()); // a second copy in this run is already ingested
                group.add(p);
                groupBytes += p.bytes();
                if (groupBytes >= GROUP_BYTES || group.size() >= GROUP_FILES) {
                    send(producer, group, results, progress);
                    group.clear();
                    groupBytes = 0;
                }
            }
            send(producer, group, results, progress);
        }
        progress.finish();
        return new Summary(results, System.nanoTime() - start);
    }

    /**
     * Files sent in one transaction: up to this much text. A transaction costs a few round trips to
     * the broker whatever its size, so one per small file would halve throughput; files stay whole
     * (a transaction holds complete files, with their ledger entries).
     */
    static final long GROUP_BYTES = 4L << 20;

    /** ... and at most this many files. */
    static final int GROUP_FILES = 64;

    /**
     * A file read and split, ready to send; or the result that says why it is not sent.
     *
     * @param result null when the file is to be sent
     */
    private record Prepared(
            Source source,
            long fileSize,
            String sha,
            int bytes,
            List<String> chunks,
            String note,
            FileResult result) {

        static Prepared skipped(FileResult result) {
            return new Prepared(null, 0, null, 0, null, null, result);
        }
    }

    private Prepared prepare(Source s, Set<String> known) throws IOException {
        byte[] bytes;
        try {
            bytes = read(s.file());
        } catch (IOException e) {
            return Prepared.skipped(
                    new FileResult(
                            s.file(), s.document(), Status.UNREADABLE, 0, 0, e.getMessage()));
        }
        String sha = Ledger.sha256(bytes);
        if (known.contains(sha)) {
            return Prepared.skipped(
                    new FileResult(
                            s.file(),
                            s.document(),
                            Status.ALREADY_INGESTED,
                            bytes.length,
                            0,
                            "already in corpus "
                                    + options.corpus()
                                    + " (same content; --force sends it again)"));
        }
        Utf8.Decoded decoded = Utf8.decode(bytes);
        if (decoded.badSequences() > 0 && options.onBadBytes() == BadBytes.SKIP_FILE) {
            return Prepared.skipped(
                    new FileResult(
                            s.file(),
                            s.document(),
                            Status.INVALID_UTF8,
                            bytes.length,
                            0,
                            "invalid UTF-8 at byte offset "
                                    + decoded.firstBadOffset()
                                    + " ("
                                    + decoded.badSequences()
                                    + " invalid sequences); skipped (--on-bad-bytes replace"
                                    + " keeps it)"));
        }
        List<String> chunks = chunker.split(decoded.text());
        if (chunks.isEmpty()) {
            return Prepared.skipped(
                    new FileResult(
                            s.file(), s.document(), Status.EMPTY, 0, 0, "empty file; skipped"));
        }
        String note =
                decoded.badSequences() > 0
                        ? "invalid UTF-8 at byte offset "
                                + decoded.firstBadOffset()
                                + " ("
                                + decoded.badSequences()
                                + " invalid sequences replaced with U+FFFD)"
                        : null;
        return new Prepared(s, Files.size(s.file()), sha, bytes.length, chunks, note, null);
    }

    /** Sends a group of files and their ledger entries in one transaction. */
    private void send(
            KafkaProducer<String, byte[]> producer,
            List<Prepared> group,
            List<FileResult> results,
            Progress progress)
            throws IOException {
        if (group.isEmpty()) {
            return;
        }
        producer.beginTransaction();
        try {
            for (Prepared f : group) {
                String document = f.source().document();
                for (int i = 0; i < f.chunks().size(); i++) {
                    CorpusChunk chunk =
                            new CorpusChunk(
                                    CorpusChunk.VERSION,
                                    options.corpus(),
                                    document,
                                    i,
                                    f.chunks().get(i),
                                    i == f.chunks().size() - 1);
                    producer.send(
                            new ProducerRecord<>(
                                    topics.corpusText().name(),
                                    document,
                                    CorpusChunk.CODEC.encode(chunk)));
                }
                CorpusIndexRecord index =
                        new CorpusIndexRecord(
                                CorpusIndexRecord.VERSION,
                                options.corpus(),
                                document,
                                f.sha(),
                                f.bytes(),
                                f.chunks().size(),
                                System.currentTimeMillis());
                producer.send(Ledger.entry(topics, index));
            }
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw new IOException(
                    "sending "
                            + group.get(0).source().file()
                            + (group.size() > 1 ? " and " + (group.size() - 1) + " more files" : "")
                            + " failed: "
                            + e.getMessage(),
                    e);
        }
        for (Prepared f : group) {
            if (f.note() != null) {
                progress.pauseLine();
                log.println(f.source().file() + ": " + f.note());
            }
            results.add(
                    new FileResult(
                            f.source().file(),
                            f.source().document(),
                            Status.INGESTED,
                            f.bytes(),
                            f.chunks().size(),
                            f.note()));
            progress.addBytes(f.fileSize()); // as read: the total counts compressed sizes
            progress.fileDone();
        }
    }

    static String describe(FileResult r) {
        return r.file() + ": " + r.message();
    }

    /** Files under the paths with their document ids; missing paths become UNREADABLE results. */
    static List<Source> expand(List<Path> paths, List<FileResult> problems) throws IOException {
        List<Source> out = new ArrayList<>();
        Map<String, Path> ids = new HashMap<>();
        for (Path path : paths) {
            if (!Files.exists(path)) {
                problems.add(
                        new FileResult(
                                path, null, Status.UNREADABLE, 0, 0, "no such file or directory"));
                continue;
            }
            if (Files.isDirectory(path)) {
                Path base = path.toAbsolutePath().normalize().getParent();
                try (Stream<Path> walk = Files.walk(path)) {
                    for (Path f : (Iterable<Path>) walk.sorted()::iterator) {
                        if (Files.isRegularFile(f) && !hidden(path, f)) {
                            add(
                                    out,
                                    ids,
                                    f,
                                    base.relativize(f.toAbsolutePath().normalize()).toString());
                        }
                    }
                }
            } else {
                add(out, ids, path, path.getFileName().toString());
            }
        }
        return out;
    }

    private static boolean hidden(Path root, Path f) {
        for (Path part : root.relativize(f)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static void add(List<Source> out, Map<String, Path> ids, Path file, String id) {
        String document = id.endsWith(".gz") ? id.substring(0, id.length() - 3) : id;
        Path previous = ids.putIfAbsent(document, file);
        if (previous != null) {
            throw new IllegalArgumentException(
                    "files "
                            + previous
                            + " and "
                            + file
                            + " would both be document \""
                            + document
                            + "\"; ingest them in separate runs or rename one");
        }
        out.add(new Source(file, document));
    }

    /** The file's bytes, decompressed when it is gzip. */
    static byte[] read(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new NoSuchFileException(file.toString(), null, "not readable");
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new IOException(
                    "larger than " + Progress.size(MAX_FILE_BYTES) + "; split it first");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > MAX_FILE_BYTES) {
                        throw new IOException(
                                "decompresses to more than "
                                        + Progress.size(MAX_FILE_BYTES)
                                        + "; split it first");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            } catch (java.util.zip.ZipException | java.io.EOFException e) {
                throw new IOException("corrupt gzip data: " + e.getMessage(), e);
            }
        }
        return raw;
    }
}

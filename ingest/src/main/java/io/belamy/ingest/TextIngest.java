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
            for (Source s : sources) {
                FileResult r = ingest(producer, s, known);
                results.add(r);
                if (r.status() != Status.INGESTED) {
                    progress.pauseLine();
                    log.println(describe(r));
                }
                progress.addBytes(Files.size(s.file()));
                progress.fileDone();
            }
        }
        progress.finish();
        return new Summary(results, System.nanoTime() - start);
    }

    private FileResult ingest(KafkaProducer<String, byte[]> producer, Source s, Set<String> known)
            throws Exception {
        byte[] bytes;
        try {
            bytes = read(s.file());
        } catch (IOException e) {
            return new FileResult(s.file(), s.document(), Status.UNREADABLE, 0, 0, e.getMessage());
        }
        String sha = Ledger.sha256(bytes);
        if (known.contains(sha)) {
            return new FileResult(
                    s.file(),
                    s.document(),
                    Status.ALREADY_INGESTED,
                    bytes.length,
                    0,
                    "already in corpus "
                            + options.corpus()
                            + " (same content; --force sends it again)");
        }
        Utf8.Decoded decoded = Utf8.decode(bytes);
        if (decoded.badSequences() > 0 && options.onBadBytes() == BadBytes.SKIP_FILE) {
            return new FileResult(
                    s.file(),
                    s.document(),
                    Status.INVALID_UTF8,
                    bytes.length,
                    0,
                    "invalid UTF-8 at byte offset "
                            + decoded.firstBadOffset()
                            + " ("
                            + decoded.badSequences()
                            + " invalid sequences); skipped (--on-bad-bytes replace keeps it)");
        }
        List<String> chunks = chunker.split(decoded.text());
        if (chunks.isEmpty()) {
            return new FileResult(
                    s.file(), s.document(), Status.EMPTY, 0, 0, "empty file; skipped");
        }
        producer.beginTransaction();
        try {
            for (int i = 0; i < chunks.size(); i++) {
                CorpusChunk chunk =
                        new CorpusChunk(
                                CorpusChunk.VERSION,
                                options.corpus(),
                                s.document(),
                                i,
                                chunks.get(i),
                                i == chunks.size() - 1);
                producer.send(
                        new ProducerRecord<>(
                                topics.corpusText().name(),
                                s.document(),
                                CorpusChunk.CODEC.encode(chunk)));
            }
            CorpusIndexRecord index =
                    new CorpusIndexRecord(
                            CorpusIndexRecord.VERSION,
                            options.corpus(),
                            s.document(),
                            sha,
                            bytes.length,
                            chunks.size(),
                            System.currentTimeMillis());
            producer.send(Ledger.entry(topics, index));
            producer.commitTransaction();
        } catch (RuntimeException e) {
            producer.abortTransaction();
            throw new IOException("sending " + s.file() + " failed: " + e.getMessage(), e);
        }
        String note =
                decoded.badSequences() > 0
                        ? "invalid UTF-8 at byte offset "
                                + decoded.firstBadOffset()
                                + " ("
                                + decoded.badSequences()
                                + " invalid sequences replaced with U+FFFD)"
                        : null;
        if (note != null) {
            log.println(s.file() + ": " + note);
        }
        known.add(sha);
        return new FileResult(
                s.file(), s.document(), Status.INGESTED, bytes.length, chunks.size(), note);
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

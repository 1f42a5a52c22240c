package io.belamy.core.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Model versions in a store: {@code <root>/<name>/v<N>/} holds one version as a Hugging Face
 * directory plus {@code belamy.json}. The root is a local path, a {@code file:} URI, or (with
 * belamy's Flink module on the classpath) any Flink FileSystem URI such as {@code
 * s3://bucket/models} or {@code hdfs://nn/models}. A version appears whole: readers never see half
 * a model.
 *
 * <pre>{@code
 * ModelStore store = ModelStore.at("s3://bucket/belamy");
 * String uri = store.write("austen-gpt", 3, dir -> model.save(dir)); // s3://bucket/belamy/austen-gpt/v3
 * Path local = ModelStore.localCopy(uri); // a local directory DJL can load
 * }</pre>
 */
public interface ModelStore {

    /** The root as a path (local stores) or URI (others). */
    String location();

    /** The versions of a model, oldest first. */
    List<Long> versions(String name) throws IOException;

    /** Model names in the store. */
    List<String> names() throws IOException;

    /** The URI of a version's directory (which need not exist). */
    String versionUri(String name, long version);

    /**
     * Writes a version: {@code writer} fills a fresh local directory, which then appears in the
     * store as a whole (replacing an earlier copy of the same version, as after a replay).
     *
     * @return the version's URI
     */
    String write(String name, long version, Writer writer) throws IOException;

    /**
     * Stores training state too large for Flink's state backend under the checkpoint's id.
     *
     * @return where it was written, for {@link #read}
     */
    String writeCheckpoint(String name, long checkpointId, byte[] data) throws IOException;

    /** The newest version, if any. */
    default Optional<Long> latest(String name) throws IOException {
        List<Long> v = versions(name);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    /** A local directory with the version's files (the version itself when the store is local). */
    default Path localCopy(String name, long version) throws IOException {
        return ModelStore.localCopy(versionUri(name, version));
    }

    /** Writes a version's files into a local directory. */
    @FunctionalInterface
    interface Writer {
        void write(Path dir) throws IOException;
    }

    /** Stores for URI schemes other than {@code file}, found with {@link ServiceLoader}. */
    interface Provider {
        /** A store at {@code root}. */
        ModelStore open(URI root) throws IOException;

        /** A local directory holding a copy of the store directory {@code uri}. */
        Path localCopy(URI uri) throws IOException;

        /** The bytes of the file {@code uri}. */
        byte[] read(URI uri) throws IOException;
    }

    /** A store at a local directory. */
    static ModelStore at(Path root) {
        return new LocalModelStore(root);
    }

    /**
     * A store from a path, a {@code file:} URI, or another file system URI.
     *
     * @throws IllegalArgumentException naming the location when no file system serves its scheme
     */
    static ModelStore at(String pathOrUri) {
        URI uri = remoteUri(pathOrUri);
        if (uri == null) {
            return at(localPath(pathOrUri));
        }
        try {
            return provider(pathOrUri).open(uri);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "model store \"" + pathOrUri + "\": " + e.getMessage(), e);
        }
    }

    /**
     * A local directory with the files of a store directory (a version's URI from the models topic,
     * or a plain path). Remote versions are copied once into a local cache.
     */
    static Path localCopy(String pathOrUri) throws IOException {
        URI uri = remoteUri(pathOrUri);
        return uri == null ? localPath(pathOrUri) : provider(pathOrUri).localCopy(uri);
    }

    /** The bytes of a file given as a path or URI (as {@link #writeCheckpoint} returns). */
    static byte[] read(String pathOrUri) throws IOException {
        URI uri = remoteUri(pathOrUri);
        return uri == null
                ? java.nio.file.Files.readAllBytes(localPath(pathOrUri))
                : provider(pathOrUri).read(uri);
    }

    /**
     * Checks a model name: letters, digits, '.', '_', '-', starting with a letter or digit.
     *
     * @throws IllegalArgumentException naming the bad name
     */
    static String checkName(String name) {
        if (name == null || !Names.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "model name \""
                            + name
                            + "\" may only contain letters, digits, '.', '_', '-' (and start with a letter or digit)");
        }
        return name;
    }

    /** Whether a location is a URI of a file system other than the local one. */
    static boolean isRemote(String pathOrUri) {
        return remoteUri(pathOrUri) != null;
    }

    /** The version number of a directory named {@code v<N>}, or -1 for other names. */
    static long versionOf(String dirName) {
        var m = Names.VERSION.matcher(dirName);
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The versions among directory names ({@code v<N>}; others are skipped), oldest first. */
    static List<Long> versionsAmong(java.util.Collection<String> directoryNames) {
        return directoryNames.stream()
                .map(ModelStore::versionOf)
                .filter(v -> v >= 0)
                .sorted()
                .toList();
    }

    /** Whether a directory name is a valid model name. */
    static boolean isName(String dirName) {
        return Names.NAME.matcher(dirName).matches();
    }

    /** The URI of a non-local location, or null for paths and {@code file:} URIs. */
    private static URI remoteUri(String pathOrUri) {
        if (!Names.SCHEME.matcher(pathOrUri).lookingAt()) {
            return null;
        }
        URI uri = URI.create(pathOrUri);
        return "file".equals(uri.getScheme()) ? null : uri;
    }

    private static Path localPath(String pathOrUri) {
        return pathOrUri.startsWith("file:") ? Path.of(URI.create(pathOrUri)) : Path.of(pathOrUri);
    }

    private static Provider provider(String location) throws IOException {
        for (ClassLoader loader :
                new ClassLoader[] {
                    ModelStore.class.getClassLoader(),
                    Thread.currentThread().getContextClassLoader()
                }) {
            for (Provider p : ServiceLoader.load(Provider.class, loader)) {
                return p;
            }
        }
        throw new IOException(
                "no file system for \""
                        + location
                        + "\": only local paths and file: URIs work without belamy's Flink module"
                        + " (belamy-streaming) on the classpath");
    }

    /** Patterns of store names and locations (use the methods above). */
    final class Names {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
        private static final Pattern VERSION = Pattern.compile("v(\\d+)");

        /** A URI scheme of two letters or more (one letter is a Windows drive). */
        private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

        private Names() {}
    }
}

package io.belamy.streaming;

import io.belamy.core.io.FileTrees;
import io.belamy.core.store.ModelStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystem.WriteMode;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * A model store on any Flink {@link FileSystem} ({@code s3://}, {@code hdfs://}, {@code gs://} ...,
 * whatever the cluster's plugins provide). A version is uploaded under a hidden name and renamed
 * into place; readers copy a version once into a local cache directory, since DJL loads from local
 * files.
 *
 * <p>The cache is {@code $TMPDIR/belamy-store-cache} unless the system property {@code
 * belamy.store.cache} names another directory.
 */
public final class FileSystemModelStore implements ModelStore {

    private final org.apache.flink.core.fs.Path root;

    public FileSystemModelStore(URI root) {
        String text = root.toString();
        this.root =
                new org.apache.flink.core.fs.Path(
                        text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public String versionUri(String name, long version) {
        return versionPath(name, version).toString();
    }

    private org.apache.flink.core.fs.Path modelPath(String name) {
        return new org.apache.flink.core.fs.Path(root, ModelStore.checkName(name));
    }

    private org.apache.flink.core.fs.Path versionPath(String name, long version) {
        return new org.apache.flink.core.fs.Path(modelPath(name), "v" + version);
    }

    @Override
    public List<Long> versions(String name) throws IOException {
        return ModelStore.versionsAmong(
                list(modelPath(name)).stream()
                        .filter(FileStatus::isDir)
                        .map(s -> s.getPath().getName())
                        .toList());
    }

    @Override
    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        for (FileStatus s : list(root)) {
            if (s.isDir() && ModelStore.isName(s.getPath().getName())) {
                out.add(s.getPath().getName());
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private List<FileStatus> list(org.apache.flink.core.fs.Path dir) throws IOException {
        FileSystem fs = fileSystem(dir);
        FileStatus[] entries;
        try {
            entries = fs.exists(dir) ? fs.listStatus(dir) : null;
        } catch (FileNotFoundException e) {
            entries = null;
        }
        return entries == null ? List.of() : List.of(entries);
    }

    @Override
    public String write(String name, long version, Writer writer) throws IOException {
        org.apache.flink.core.fs.Path target = versionPath(name, version);
        org.apache.flink.core.fs.Path tmp =
                new org.apache.flink.core.fs.Path(
                        modelPath(name), ".v" + version + "-" + UUID.randomUUID() + ".tmp");
        FileSystem fs = fileSystem(target);
        Path local = Files.createTempDirectory("belamy-version-");
        try {
            writer.write(local);
            upload(fs, local, tmp);
            if (fs.exists(target)) {
                fs.delete(target, true);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
            return target.toString();
        } finally {
            FileTrees.delete(local);
            if (fs.exists(tmp)) {
                fs.delete(tmp, true);
            }
        }
    }

    @Override
    public String writeCheckpoint(String name, long checkpointId, byte[] data) throws IOException {
        org.apache.flink.core.fs.Path dir =
                new org.apache.flink.core.fs.Path(modelPath(name), "checkpoints");
        org.apache.flink.core.fs.Path file =
                new org.apache.flink.core.fs.Path(dir, "chk-" + checkpointId + ".safetensors");
        FileSystem fs = fileSystem(file);
        fs.mkdirs(dir);
        try (OutputStream out = fs.create(file, WriteMode.OVERWRITE)) {
            out.write(data);
        }
        return file.toString();
    }

    private static void upload(FileSystem fs, Path local, org.apache.flink.core.fs.Path target)
            throws IOException {
        fs.mkdirs(target);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(local)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String relative = local.relativize(f).toString().replace('\\', '/');
            org.apache.flink.core.fs.Path to = new org.apache.flink.core.fs.Path(target, relative);
            try (OutputStream out = fs.create(to, WriteMode.OVERWRITE)) {
                Files.copy(f, out);
            }
        }
    }

    /** The file in a cached copy that records what it was copied from. */
    static final String SOURCE_FILE = ".belamy-source";

    /**
     * A local copy of a store directory, copied into the cache when the cache has none or an
     * outdated one: the copy records the source's listing (paths, sizes, modification times), and a
     * different listing (the directory rewritten, as by a training run started over under the same
     * name) means a fresh copy. Checking costs one listing of the directory.
     */
    static Path localCopy(URI uri) throws IOException {
        org.apache.flink.core.fs.Path source = new org.apache.flink.core.fs.Path(uri);
        FileSystem fs = fileSystem(source);
        if (!fs.exists(source)) {
            throw new FileNotFoundException(uri + " does not exist");
        }
        String listing = uri + "\n" + listing(fs, source, "");
        Path cache = cacheRoot().resolve(cacheName(uri.toString()));
        if (current(cache, listing)) {
            return cache;
        }
        Files.createDirectories(cache.getParent());
        Path tmp = Files.createTempDirectory(cache.getParent(), ".download-");
        Path old = cache.resolveSibling(".old-" + UUID.randomUUID());
        try {
            download(fs, source, tmp);
            Files.writeString(tmp.resolve(SOURCE_FILE), listing);
            if (Files.isDirectory(cache)) {
                Files.move(cache, old, StandardCopyOption.ATOMIC_MOVE);
            }
            try {
                Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (!current(cache, listing)) { // not a concurrent copy of the same version
                    throw e;
                }
            }
            return cache;
        } finally {
            FileTrees.delete(tmp);
            FileTrees.delete(old);
        }
    }

    private static boolean current(Path cache, String listing) throws IOException {
        Path recorded = cache.resolve(SOURCE_FILE);
        return Files.isRegularFile(recorded) && Files.readString(recorded).equals(listing);
    }

    /** Every file under a directory: relative path, size and modification time, a line each. */
    private static String listing(FileSystem fs, org.apache.flink.core.fs.Path dir, String prefix)
            throws IOException {
        List<FileStatus> entries = new ArrayList<>(List.of(fs.listStatus(dir)));
        entries.sort(Comparator.comparing(e -> e.getPath().getName()));
        StringBuilder out = new StringBuilder();
        for (FileStatus e : entries) {
            String name = prefix + e.getPath().getName();
            if (e.isDir()) {
                out.append(listing(fs, e.getPath(), name + "/"));
            } else {
                out.append(name)
                        .append('\t')
                        .append(e.getLen())
                        .append('\t')
                        .append(e.getModificationTime())
                        .append('\n');
            }
        }
        return out.toString();
    }

    private static void download(FileSystem fs, org.apache.flink.core.fs.Path dir, Path local)
            throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            Path to = local.resolve(s.getPath().getName());
            if (s.isDir()) {
                Files.createDirectories(to);
                download(fs, s.getPath(), to);
            } else {
                try (InputStream in = fs.open(s.getPath())) {
                    Files.copy(in, to);
                }
            }
        }
    }

    static byte[] read(URI uri) throws IOException {
        org.apache.flink.core.fs.Path file = new org.apache.flink.core.fs.Path(uri);
        try (InputStream in = fileSystem(file).open(file)) {
            return in.readAllBytes();
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("belamy.store.cache");
        return configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "belamy-store-cache");
    }

    /** A readable, unique local name: the version's last path parts and a hash of the URI. */
    static String cacheName(String uri) {
        String[] parts = uri.replaceAll("/+$", "").split("/");
        String tail =
                parts.length >= 2
                        ? parts[parts.length - 2] + "-" + parts[parts.length - 1]
                        : parts[0];
        tail = tail.replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256")
                            .digest(uri.getBytes(StandardCharsets.UTF_8));
            return tail + "-" + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file system of a path; Flink's message names the plugin a scheme needs. */
    private static FileSystem fileSystem(org.apache.flink.core.fs.Path path) throws IOException {
        return FileSystem.get(path.toUri());
    }

    /**
     * Loads Flink's file system plugins ({@code s3}, {@code gs}, {@code abfs} ...) from {@code
     * $FLINK_PLUGINS_DIR}, with the configuration in {@code $FLINK_CONF_DIR} (credentials, say), as
     * Flink's JobManager and TaskManagers do at start. For processes that are neither: belamy's CLI
     * and its embedded runtime. Does nothing when {@code FLINK_PLUGINS_DIR} is not set.
     */
    public static void loadPlugins() {
        if (System.getenv(ConfigConstants.ENV_FLINK_PLUGINS_DIR) == null) {
            return;
        }
        Configuration conf =
                System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR) != null
                        ? GlobalConfiguration.loadConfiguration()
                        : new Configuration();
        FileSystem.initialize(conf, PluginUtils.createPluginManagerFromRootFolder(conf));
    }

    /** Registered in {@code META-INF/services} for {@link ModelStore#at(String)}. */
    public static final class Provider implements ModelStore.Provider {
        @Override
        public ModelStore open(URI root) throws IOException {
            FileSystem.get(root); // fails now, naming the plugin the scheme needs
            return new FileSystemModelStore(root);
        }

        @Override
        public Path localCopy(URI uri) throws IOException {
            return FileSystemModelStore.localCopy(uri);
        }

        @Override
        public byte[] read(URI uri) throws IOException {
            return FileSystemModelStore.read(uri);
        }
    }
}

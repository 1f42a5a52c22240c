package io.belamy.core.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Model versions on a file system: {@code <root>/<name>/v<N>/} holds one version as a Hugging Face
 * directory plus {@code belamy.json}. A version appears atomically (written aside, then renamed),
 * so readers never see half a model.
 *
 * <pre>{@code
 * ModelStore store = ModelStore.at(Path.of("/var/belamy/store"));
 * store.versionDir("austen-gpt", 3); // /var/belamy/store/austen-gpt/v3
 * }</pre>
 */
public final class ModelStore {

    private static final Pattern VERSION = Pattern.compile("v(\\d+)");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path root;

    private ModelStore(Path root) {
        this.root = root;
    }

    public static ModelStore at(Path root) {
        return new ModelStore(root.toAbsolutePath().normalize());
    }

    /**
     * A store from a path or a {@code file:} URI.
     *
     * @throws IllegalArgumentException for other URI schemes
     */
    public static ModelStore at(String pathOrUri) {
        if (pathOrUri.contains("://")) {
            URI uri = URI.create(pathOrUri);
            if (!"file".equals(uri.getScheme())) {
                throw new IllegalArgumentException(
                        "model store \""
                                + pathOrUri
                                + "\": only local paths and file:// URIs are supported by this build");
            }
            return at(Path.of(uri));
        }
        return at(Path.of(pathOrUri));
    }

    public Path root() {
        return root;
    }

    /**
     * Checks a model name: letters, digits, '.', '_', '-', starting with a letter or digit.
     *
     * @throws IllegalArgumentException naming the bad name
     */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "model name \""
                            + name
                            + "\" may only contain letters, digits, '.', '_', '-' (and start with a letter or digit)");
        }
        return name;
    }

    public Path versionDir(String name, long version) {
        return root.resolve(checkName(name)).resolve("v" + version);
    }

    /** The versions of a model, oldest first. */
    public List<Long> versions(String name) throws IOException {
        Path dir = root.resolve(checkName(name));
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                Matcher m = VERSION.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** The newest version, if any. */
    public Optional<Long> latest(String name) throws IOException {
        List<Long> v = versions(name);
        return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    /** Model names in the store. */
    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> list = Files.list(root)) {
            list.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> NAME.matcher(n).matches())
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** Writes a version's files. */
    @FunctionalInterface
    public interface Writer {
        void write(Path dir) throws IOException;
    }

    /**
     * Writes a version: {@code writer} fills a fresh directory beside the target, which is then
     * renamed into place (replacing an earlier copy of the same version, as after a replay).
     *
     * @return the version's directory
     */
    public Path write(String name, long version, Writer writer) throws IOException {
        Path target = versionDir(name, version);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(".v" + version + "-" + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(tmp);
            writer.write(tmp);
            if (Files.exists(target)) {
                deleteRecursively(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteRecursively(tmp);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}

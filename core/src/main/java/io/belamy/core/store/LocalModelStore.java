package io.belamy.core.store;

import io.belamy.core.io.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A model store on the local file system. A version is written aside and renamed into place, so it
 * appears atomically.
 */
final class LocalModelStore implements ModelStore {

    private final Path root;

    LocalModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public String versionUri(String name, long version) {
        return versionDir(name, version).toUri().toString();
    }

    private Path versionDir(String name, long version) {
        return root.resolve(ModelStore.checkName(name)).resolve("v" + version);
    }

    @Override
    public Path localCopy(String name, long version) {
        return versionDir(name, version);
    }

    @Override
    public List<Long> versions(String name) throws IOException {
        Path dir = root.resolve(ModelStore.checkName(name));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return ModelStore.versionsAmong(
                    list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList());
        }
    }

    @Override
    public List<String> names() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> list = Files.list(root)) {
            list.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(ModelStore::isName)
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    @Override
    public String write(String name, long version, Writer writer) throws IOException {
        Path target = versionDir(name, version);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(".v" + version + "-" + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(tmp);
            writer.write(tmp);
            if (Files.exists(target)) {
                FileTrees.delete(target);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            return target.toUri().toString();
        } finally {
            if (Files.exists(tmp)) {
                FileTrees.delete(tmp);
            }
        }
    }

    @Override
    public String writeCheckpoint(String name, long checkpointId, byte[] data) throws IOException {
        Path file =
                root.resolve(ModelStore.checkName(name))
                        .resolve("checkpoints")
                        .resolve("chk-" + checkpointId + ".safetensors");
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file.toString();
    }
}

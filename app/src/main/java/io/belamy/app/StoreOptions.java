package io.belamy.app;

import io.belamy.core.store.ModelStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where model versions live, and how a command finds a model given as a directory or a name. */
final class StoreOptions {

    @Option(
            names = "--model-store",
            paramLabel = "DIR|URI",
            description =
                    "Model store: versions live in <store>/<name>/v<N>. A path, or a Flink"
                            + " FileSystem URI (s3://, hdfs:// ... with the Flink plugin for it;"
                            + " see docs/deploy.md). Default: <work-dir>/store.")
    String modelStore;

    ModelStore store(Path workDir) {
        return ModelStore.at(modelStore != null ? modelStore : workDir.resolve("store").toString());
    }

    /**
     * A model directory as given, or the newest version of the model of that name in the store.
     *
     * @throws NoSuchFileException naming both places when neither exists
     */
    Path resolve(String model, Path workDir) throws IOException {
        Path dir = Path.of(model);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        ModelStore store = store(workDir);
        try {
            var latest = store.latest(model);
            if (latest.isPresent()) {
                return store.localCopy(model, latest.get());
            }
        } catch (IllegalArgumentException e) {
            // not a valid model name: report the directory
        }
        throw new NoSuchFileException(
                model,
                null,
                "neither a model directory nor a model in the store " + store.location());
    }
}

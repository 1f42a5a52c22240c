package io.belamy.app.runtime;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * What a running {@code belamy serve} publishes in its work directory ({@code runtime.json}) so
 * that {@code belamy prompt} and {@code belamy listen} find it without options.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param topicPrefix prefix of the topics it serves
 * @param flinkRest Flink REST API / Web UI, if any
 * @param pid process id of the serving JVM
 */
public record RuntimeInfo(String bootstrap, String topicPrefix, String flinkRest, long pid) {

    public static final String FILE = "runtime.json";

    private static final ObjectMapper JSON =
            JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** Writes {@code runtime.json} atomically. */
    public void write(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path tmp = workDir.resolve(FILE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), this);
        Files.move(
                tmp,
                workDir.resolve(FILE),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** The info of a running serve in {@code workDir}; empty when none runs there. */
    public static Optional<RuntimeInfo> read(Path workDir) throws IOException {
        Path file = workDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        RuntimeInfo info = JSON.readValue(file.toFile(), RuntimeInfo.class);
        boolean alive = ProcessHandle.of(info.pid()).map(ProcessHandle::isAlive).orElse(false);
        return alive ? Optional.of(info) : Optional.empty();
    }

    public static void delete(Path workDir) throws IOException {
        Files.deleteIfExists(workDir.resolve(FILE));
    }
}

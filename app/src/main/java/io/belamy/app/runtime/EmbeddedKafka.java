package io.belamy.app.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka (KRaft: broker and controller in one) running in this JVM on 127.0.0.1, with
 * its log under a directory. The directory is formatted once; a restart on it keeps topics and
 * committed offsets.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final KafkaRaftServer server;
    private final int port;

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Formats {@code dir} if needed and starts the broker.
     *
     * @param port client port on 127.0.0.1, or 0 for a free one
     */
    public static EmbeddedKafka start(Path dir, int port) throws IOException {
        Path logDir = dir.resolve("log");
        Files.createDirectories(logDir);
        int[] free = Ports.free(2);
        int clientPort = port == 0 ? free[0] : port;
        int controllerPort = free[1] != clientPort ? free[1] : free[0];
        Properties props = properties(logDir, clientPort, controllerPort);
        Path config = dir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(config)) {
            props.store(w, "embedded belamy broker; rewritten on every start");
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(config);
        }
        long start = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown();
            throw new IOException(
                    "Kafka broker in " + dir + " failed to start: " + e.getMessage(), e);
        }
        LOG.info(
                "Kafka broker on 127.0.0.1:{} (data in {}) started in {} ms",
                clientPort,
                logDir,
                (System.nanoTime() - start) / 1_000_000);
        return new EmbeddedKafka(server, clientPort);
    }

    static Properties properties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.setProperty(
                "listeners",
                "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", logDir.toAbsolutePath().toString());
        // One broker: internal topics cannot be replicated, and small ones start faster.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        return p;
    }

    private static void format(Path config) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int code;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            code =
                    StorageTool.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                config.toString()
                            },
                            out);
        }
        if (code != 0) {
            throw new IOException(
                    "formatting Kafka storage failed ("
                            + code
                            + "): "
                            + output.toString(StandardCharsets.UTF_8));
        }
    }

    /** {@code 127.0.0.1:port}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Shuts the broker down cleanly (its log is marked clean for the next start). */
    @Override
    public void close() {
        long start = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
    }
}

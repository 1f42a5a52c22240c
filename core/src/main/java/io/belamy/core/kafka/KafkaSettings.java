package io.belamy.core.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * How to reach Kafka: bootstrap servers plus client properties (SASL, SSL ...) from an optional
 * file, applied to every producer, consumer and admin client belamy creates.
 */
public record KafkaSettings(String bootstrapServers, Properties clientProperties)
        implements Serializable {

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("bootstrap servers must not be empty");
        }
        Properties copy = new Properties();
        if (clientProperties != null) {
            copy.putAll(clientProperties);
        }
        clientProperties = copy;
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, new Properties());
    }

    /**
     * Settings with client properties read from a Java properties file (null: none).
     *
     * @throws IOException naming the file when it cannot be read
     */
    public static KafkaSettings of(String bootstrapServers, Path propertiesFile)
            throws IOException {
        Properties props = new Properties();
        if (propertiesFile != null) {
            if (!Files.isRegularFile(propertiesFile)) {
                throw new NoSuchFileException(
                        propertiesFile.toString(), null, "Kafka client properties file not found");
            }
            try (Reader r = Files.newBufferedReader(propertiesFile)) {
                props.load(r);
            }
        }
        return new KafkaSettings(bootstrapServers, props);
    }

    /** Client properties with {@code bootstrap.servers} set, as a fresh copy. */
    public Properties clientConfig() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.setProperty("bootstrap.servers", bootstrapServers);
        return p;
    }
}

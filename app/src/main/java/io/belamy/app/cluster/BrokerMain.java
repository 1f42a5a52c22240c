package io.belamy.app.cluster;

import io.belamy.app.runtime.EmbeddedKafka;
import io.belamy.app.runtime.TopicAdmin;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A Kafka broker (KRaft, single node, 127.0.0.1) in its own JVM, for the local cluster: {@code
 * BrokerMain DIR PORT TOPIC_PREFIX}. Creates belamy's topics, prints {@code ready}, runs until
 * SIGTERM and then shuts down cleanly.
 */
public final class BrokerMain {

    private BrokerMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Topics topics = new Topics(args[2]);
        EmbeddedKafka broker = EmbeddedKafka.start(dir, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    broker.close();
                                    stopped.countDown();
                                },
                                "broker-shutdown"));
        TopicAdmin.ensureTopics(KafkaSettings.of(broker.bootstrapServers()), topics, 1, (short) 1);
        System.out.println("ready: bootstrap=" + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}

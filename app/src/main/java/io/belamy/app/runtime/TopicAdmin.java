package io.belamy.app.runtime;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates belamy's topics where they are missing. */
public final class TopicAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAdmin.class);

    private TopicAdmin() {}

    /**
     * Creates every topic of {@code topics} that does not exist yet ({@code models} compacted).
     *
     * @param partitions partitions of new topics
     * @param replication replication factor of new topics (1 on a single broker)
     * @return the names created
     */
    public static List<String> ensureTopics(
            KafkaSettings kafka, Topics topics, int partitions, short replication)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(kafka.clientConfig())) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : topics.names()) {
                if (!existing.contains(name)) {
                    NewTopic t = new NewTopic(name, partitions, replication);
                    if (topics.isCompacted(name)) {
                        t.configs(Map.of("cleanup.policy", "compact"));
                    }
                    missing.add(t);
                }
            }
            List<String> created = new ArrayList<>();
            for (var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(60, TimeUnit.SECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
            if (!created.isEmpty()) {
                LOG.info("created topics {}", created);
            }
            return created;
        }
    }
}

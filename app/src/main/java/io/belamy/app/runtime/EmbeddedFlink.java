package io.belamy.app.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's MiniCluster in this JVM: one TaskManager with a few slots, its REST API (and Web UI) on
 * 127.0.0.1. Jobs are submitted over REST, as to a real cluster.
 */
public final class EmbeddedFlink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);

    private final MiniCluster cluster;
    private final URI rest;

    private EmbeddedFlink(MiniCluster cluster, URI rest) {
        this.cluster = cluster;
        this.rest = rest;
    }

    /**
     * Starts the cluster.
     *
     * @param dir checkpoints go under it
     * @param slots task slots of the one TaskManager
     * @param prometheusPort serve every metric for Prometheus at {@code
     *     http://127.0.0.1:PORT/metrics}, or 0 for no endpoint
     */
    public static EmbeddedFlink start(Path dir, int slots, int prometheusPort) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        // Fresher metrics in the Web UI and REST API than the 10 s default: one small JVM.
        conf.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(2));
        if (prometheusPort > 0) {
            conf.setString(
                    "metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            conf.setString("metrics.reporter.prom.host", "127.0.0.1");
            conf.setString("metrics.reporter.prom.port", Integer.toString(prometheusPort));
        }
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                dir.resolve("checkpoints").toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                dir.resolve("savepoints").toUri().toString());
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .setCommonBindAddress("127.0.0.1")
                                .build());
        long start = System.nanoTime();
        cluster.start();
        URI rest = cluster.getRestAddress().get(60, TimeUnit.SECONDS);
        LOG.info(
                "Flink MiniCluster ({} slots) at {} started in {} ms",
                slots,
                rest,
                (System.nanoTime() - start) / 1_000_000);
        return new EmbeddedFlink(cluster, rest);
    }

    /** The REST API and Web UI, e.g. {@code http://127.0.0.1:40123}. */
    public URI restAddress() {
        return rest;
    }

    /** An environment whose jobs run on this cluster. */
    public StreamExecutionEnvironment environment() {
        Configuration conf = new Configuration();
        conf.set(DeploymentOptions.TARGET, "remote");
        conf.set(RestOptions.ADDRESS, rest.getHost());
        conf.set(RestOptions.PORT, rest.getPort());
        conf.set(DeploymentOptions.ATTACHED, false);
        return new StreamExecutionEnvironment(conf);
    }

    /** The cluster itself, for job status and cancellation. */
    public MiniCluster cluster() {
        return cluster;
    }

    @Override
    public void close() throws Exception {
        long start = System.nanoTime();
        cluster.closeAsync().get(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Flink MiniCluster stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
    }
}

package io.belamy.app.runtime;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything belamy needs on one machine: Kafka (embedded, or an external cluster), a Flink
 * MiniCluster, and the topics. Closing it stops jobs, Flink and the embedded broker in that order,
 * so a restart on the same work directory finds topics and committed offsets intact.
 */
public final class EmbeddedRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRuntime.class);

    /**
     * @param workDir holds the broker's log, checkpoints and {@code runtime.json}
     * @param kafkaPort port of the embedded broker, 0 for a free one
     * @param external an external Kafka to use instead of the embedded broker, or null
     * @param topics topic names to create
     * @param slots Flink task slots
     */
    /**
     * @param prometheusPort port of a Prometheus endpoint for Flink's metrics on 127.0.0.1, or 0
     *     for none
     */
    public record Options(
            Path workDir,
            int kafkaPort,
            KafkaSettings external,
            Topics topics,
            int slots,
            int prometheusPort) {

        public Options(
                Path workDir, int kafkaPort, KafkaSettings external, Topics topics, int slots) {
            this(workDir, kafkaPort, external, topics, slots, 0);
        }
    }

    private final Options options;
    private final WorkDirLock lock;
    private final EmbeddedKafka broker;
    private final KafkaSettings kafka;
    private final EmbeddedFlink flink;
    private final List<JobClient> jobs = new ArrayList<>();
    private boolean closed;

    private EmbeddedRuntime(
            Options options,
            WorkDirLock lock,
            EmbeddedKafka broker,
            KafkaSettings kafka,
            EmbeddedFlink flink) {
        this.options = options;
        this.lock = lock;
        this.broker = broker;
        this.kafka = kafka;
        this.flink = flink;
    }

    /** Starts Kafka (unless external), creates missing topics, starts Flink. */
    public static EmbeddedRuntime start(Options options) throws Exception {
        Path work = options.workDir().toAbsolutePath();
        WorkDirLock lock = WorkDirLock.acquire(work);
        EmbeddedKafka broker = null;
        EmbeddedFlink flink = null;
        try {
            KafkaSettings kafka;
            if (options.external() == null) {
                broker = EmbeddedKafka.start(work.resolve("kafka"), options.kafkaPort());
                kafka = KafkaSettings.of(broker.bootstrapServers());
            } else {
                kafka = options.external();
            }
            TopicAdmin.ensureTopics(kafka, options.topics(), 1, (short) 1);
            flink =
                    EmbeddedFlink.start(
                            work.resolve("flink"), options.slots(), options.prometheusPort());
            return new EmbeddedRuntime(options, lock, broker, kafka, flink);
        } catch (Exception | Error e) {
            closeQuietly(flink);
            closeQuietly(broker);
            lock.close();
            throw e;
        }
    }

    public KafkaSettings kafka() {
        return kafka;
    }

    public Topics topics() {
        return options.topics();
    }

    public EmbeddedFlink flink() {
        return flink;
    }

    public Path workDir() {
        return options.workDir().toAbsolutePath();
    }

    /**
     * Submits a job built on an environment of this runtime and waits until it runs.
     *
     * @throws IllegalStateException with the job's failure when it ends before running
     */
    public synchronized JobClient submit(String name, JobBuilder builder, Duration timeout)
            throws Exception {
        StreamExecutionEnvironment env = flink.environment();
        builder.build(env);
        JobClient job = env.executeAsync(name);
        jobs.add(job);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                LOG.info("job '{}' ({}) is running", name, job.getJobID());
                return job;
            }
            if (status.isTerminalState()) {
                throw new IllegalStateException(
                        "job '" + name + "' ended as " + status + failure(job));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "job '" + name + "' not running after " + timeout + " (" + status + ")");
            }
            Thread.sleep(100);
        }
    }

    private static String failure(JobClient job) {
        try {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            return "";
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            return ": " + root;
        }
    }

    /** Writes {@code runtime.json} so that other belamy commands find this runtime. */
    public void publish() throws java.io.IOException {
        new RuntimeInfo(
                        kafka.bootstrapServers(),
                        options.topics().prefix(),
                        flink.restAddress().toString(),
                        ProcessHandle.current().pid())
                .write(workDir());
    }

    /** Stops jobs, Flink, then the embedded broker; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            RuntimeInfo.delete(workDir());
        } catch (java.io.IOException e) {
            LOG.warn("could not delete {}", workDir().resolve(RuntimeInfo.FILE), e);
        }
        for (JobClient job : jobs) {
            try {
                if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                LOG.warn("could not cancel job {}", job.getJobID(), e);
            }
        }
        closeQuietly(flink);
        closeQuietly(broker);
        try {
            lock.close();
        } catch (java.io.IOException e) {
            LOG.warn("could not release the work directory lock", e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}", c.getClass().getSimpleName(), e);
        }
    }

    /** Adds a job's data flow to an environment. */
    @FunctionalInterface
    public interface JobBuilder {
        void build(StreamExecutionEnvironment env) throws Exception;
    }
}

package io.belamy.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.cluster.LocalCluster;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.testing.Fixtures;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.TextIngest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The jobs on a real multi-process cluster: a Kafka broker JVM, a Flink JobManager and a
 * TaskManager started by {@link LocalCluster}, jobs submitted over Flink's REST API.
 */
class ClusterIT {

    private static final Path LIB = Path.of("..", "app", "target", "lib");
    private static final Path DATA = Path.of("..", "data", "text");

    @TempDir Path work;

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void generationAnswersAndTrainingPublishesVersionsOnSeparateProcesses() throws Exception {
        assertThat(LIB).as("belamy's runtime jars (mvn package)").isDirectory();
        StringWriter log = new StringWriter();
        LocalCluster cluster = new LocalCluster(work.resolve("cluster"), LIB);
        LocalCluster.State s = null;
        try {
            s = cluster.up(1, 2, Topics.defaults(), new PrintWriter(log, true));
            long self = ProcessHandle.current().pid();
            assertThat(s.pids()).hasSize(3).doesNotContain(self).allMatch(LocalCluster::alive);
            assertThat(LocalCluster.rest(s, "/overview").path("taskmanagers").asInt()).isEqualTo(1);

            Path jar = cluster.jobJar();
            try (var entries = new java.util.jar.JarFile(jar.toFile())) {
                // the model store's Flink file systems are found through this registration
                var provider =
                        entries.getEntry(
                                "META-INF/services/io.belamy.core.store.ModelStore$Provider");
                assertThat(provider).isNotNull();
                assertThat(new String(entries.getInputStream(provider).readAllBytes()))
                        .contains("io.belamy.streaming.FileSystemModelStore$Provider");
                assertThat(entries.getEntry("ai/djl/Model.class")).isNull(); // DJL is not in it
            }
            Path model = Fixtures.dir(Fixtures.GPT2_TINY).toAbsolutePath();
            LocalCluster.submit(
                    s,
                    jar,
                    "io.belamy.generate.GenerateJob",
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.dir",
                            model.toString(),
                            "--checkpoint.interval",
                            "2s"));
            KafkaSettings kafka = KafkaSettings.of(s.bootstrap());
            Topics topics = Topics.defaults();
            SamplingParams params = SamplingParams.builder().maxTokens(16).seed(3L).build();
            try (ReplyConsumer replies = new ReplyConsumer(kafka, topics, false);
                    PromptProducer prompts = new PromptProducer(kafka, topics)) {
                prompts.send(PromptRecord.text("c1", "Emma Woodhouse,", PromptParams.of(params)));
                TextReply r = replies.await("c1", Duration.ofMinutes(2), d -> {});
                assertThat(r).isInstanceOf(TextReply.Result.class);
                try (GptModel local = GptModel.load(model)) {
                    Generation want =
                            new TextGenerator(local).generate("Emma Woodhouse,", params, t -> {});
                    assertThat(((TextReply.Result) r).text()).isEqualTo(want.text());
                }
            }

            // train-text beside it, on the same TaskManager (DJL loaded once, parent-first)
            Path corpus = work.resolve("corpus");
            Files.createDirectories(corpus);
            for (String f : List.of("1790_george_washington.txt", "1791_george_washington.txt")) {
                Files.copy(DATA.resolve("sotu").resolve(f), corpus.resolve(f));
            }
            new TextIngest(
                            kafka,
                            topics,
                            new TextIngest.Options(
                                    "washington", TextIngest.BadBytes.REPLACE, false),
                            new PrintWriter(log, true))
                    .run(List.of(corpus), false);
            LocalCluster.submit(
                    s,
                    jar,
                    "io.belamy.train.TrainTextJob",
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.name",
                            "washington",
                            "--model.from",
                            model.toString(),
                            "--model.store",
                            work.resolve("store").toString(),
                            "--batch.size",
                            "4",
                            "--sequence.length",
                            "32",
                            "--steps.per.version",
                            "5",
                            "--checkpoint.interval",
                            "2s"));
            ModelVersionRecord v =
                    ModelVersionRecord.CODEC.decode(
                            KafkaRecords.readUntil(
                                            kafka,
                                            topics.models().name(),
                                            true,
                                            Duration.ofMinutes(3),
                                            rs -> !rs.isEmpty())
                                    .get(0)
                                    .value());
            assertThat(v.name()).isEqualTo("washington");
            assertThat(v.counters().get("steps")).isGreaterThanOrEqualTo(5);
            assertThat(Path.of(java.net.URI.create(v.uri())).resolve("model.safetensors")).exists();
            assertThat(LocalCluster.rest(s, "/jobs/overview").path("jobs"))
                    .extracting(j -> j.path("state").asText())
                    .containsOnly("RUNNING");
        } finally {
            List<Long> stopped = cluster.down();
            if (s != null) {
                assertThat(stopped).containsExactlyInAnyOrderElementsOf(s.pids());
                assertThat(s.pids()).noneMatch(LocalCluster::alive);
            }
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void trainingSurvivesAKilledTaskManagerAndResumesFromASavepointWithoutRepeatingText()
            throws Exception {
        StringWriter log = new StringWriter();
        LocalCluster cluster = new LocalCluster(work.resolve("cluster"), LIB);
        LocalCluster.State s = null;
        try {
            // two TaskManagers of one slot: the job moves to the survivor
            s = cluster.up(2, 1, Topics.defaults(), new PrintWriter(log, true));
            KafkaSettings kafka = KafkaSettings.of(s.bootstrap());
            Topics topics = Topics.defaults();
            double heldOut = 0.1;
            Path corpus = work.resolve("corpus");
            Files.createDirectories(corpus);
            for (int year = 1790; year <= 1795; year++) {
                String name = year + "_george_washington.txt";
                Files.copy(DATA.resolve("sotu").resolve(name), corpus.resolve(name));
            }
            ingest(kafka, topics, corpus, log);
            long expected = trainableTokens(kafka, topics, heldOut);
            List<String> args =
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.name",
                            "washington",
                            "--model.preset",
                            "tiny",
                            "--model.store",
                            work.resolve("store").toString(),
                            "--batch.size",
                            "8",
                            "--sequence.length",
                            "64",
                            "--steps.per.version",
                            "10",
                            "--version.interval",
                            "3s",
                            "--heldout.fraction",
                            Double.toString(heldOut),
                            "--checkpoint.interval",
                            "2s");
            Path jar = cluster.jobJar();
            String job = LocalCluster.submit(s, jar, "io.belamy.train.TrainTextJob", args);
            List<ModelVersionRecord> before = versions(kafka, topics, 2, r -> true);
            long stepsBefore = last(before).counters().get("steps");

            // kill -9 the TaskManager that runs the job
            long victim = taskManagerRunning(s, "train");
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            // Ask for metrics only once the JobManager has dropped the dead TaskManager: a metric
            // fetch that includes it waits for web.timeout (10 min) and holds every later fetch.
            awaitTaskManagers(s, 1);
            awaitConsumed(s, job, expected, work.resolve("cluster").resolve("log"));
            List<ModelVersionRecord> after = versions(kafka, topics, 1, r -> true);
            assertContinuous(after);
            assertThat(last(after).counters().get("steps")).isGreaterThan(stepsBefore);
            assertThat(last(after).counters().get("tokensTrained"))
                    .isEqualTo(last(after).counters().get("steps") * 8 * 64);

            // stop with a savepoint, add text, resume from the savepoint: only the new text is
            // trained on, and versions and steps go on from where they were
            String savepoint = cluster.stopWithSavepoint(s, job);
            ModelVersionRecord stopped = last(versions(kafka, topics, 1, r -> true));
            Path more = work.resolve("more");
            Files.createDirectories(more);
            Files.copy(
                    DATA.resolve("sotu").resolve("1796_george_washington.txt"),
                    more.resolve("1796_george_washington.txt"));
            ingest(kafka, topics, more, log);
            long expectedAll = trainableTokens(kafka, topics, heldOut);
            assertThat(expectedAll).isGreaterThan(expected);
            String resumedJob =
                    LocalCluster.submit(s, jar, "io.belamy.train.TrainTextJob", args, savepoint);
            awaitConsumed(s, resumedJob, expectedAll, work.resolve("cluster").resolve("log"));
            long stoppedSteps = stopped.counters().get("steps");
            List<ModelVersionRecord> resumed =
                    versions(kafka, topics, 1, r -> r.counters().get("steps") > stoppedSteps);
            assertContinuous(resumed);
            ModelVersionRecord end = last(resumed);
            assertThat(end.version()).isGreaterThan(stopped.version());
            assertThat(end.counters().get("steps")).isGreaterThan(stopped.counters().get("steps"));
        } finally {
            cluster.down();
            if (s != null) {
                assertThat(s.pids()).noneMatch(LocalCluster::alive);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"exactly-once", "at-least-once"})
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void generationGivesEachRequestOneCompleteReplyAcrossAKilledTaskManager(String delivery)
            throws Exception {
        boolean exactlyOnce = delivery.equals("exactly-once");
        StringWriter log = new StringWriter();
        LocalCluster cluster = new LocalCluster(work.resolve("cluster"), LIB);
        LocalCluster.State s = null;
        int count = 16;
        try {
            s = cluster.up(2, 1, Topics.defaults(), new PrintWriter(log, true));
            KafkaSettings kafka = KafkaSettings.of(s.bootstrap());
            Topics topics = Topics.defaults();
            Path model = Fixtures.dir(Fixtures.GPT2_TINY).toAbsolutePath();
            LocalCluster.submit(
                    s,
                    cluster.jobJar(),
                    "io.belamy.generate.GenerateJob",
                    List.of(
                            "--bootstrap.servers",
                            s.bootstrap(),
                            "--model.dir",
                            model.toString(),
                            "--delivery",
                            delivery,
                            "--batch.max.size",
                            "1",
                            "--checkpoint.interval",
                            "500ms"));
            Map<String, List<TextReply>> seen = new HashMap<>();
            try (PromptProducer prompts = new PromptProducer(kafka, topics);
                    KafkaConsumer<String, byte[]> committed = replies(kafka, topics, exactlyOnce)) {
                for (int i = 0; i < count; i++) {
                    prompts.send(
                            PromptRecord.text(
                                    "k" + i,
                                    "Emma Woodhouse,",
                                    PromptParams.of(
                                            SamplingParams.builder()
                                                    .maxTokens(56)
                                                    .seed(10L + i)
                                                    .build())));
                }
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (finished(seen) < 1) {
                    poll(committed, seen, exactlyOnce);
                    assertThat(System.nanoTime()).as("first replies").isLessThan(deadline);
                }
                ProcessHandle.of(taskManagerRunning(s, "generate")).orElseThrow().destroyForcibly();
                assertThat(finished(seen)).as("requests still to come").isLessThan(count);
                deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (finished(seen) < count) {
                    poll(committed, seen, exactlyOnce);
                    assertThat(System.nanoTime()).as("all replies").isLessThan(deadline);
                }
                poll(committed, seen, exactlyOnce);
            }
            try (GptModel local = GptModel.load(model)) {
                for (int i = 0; i < count; i++) {
                    List<TextReply> records = seen.get("k" + i);
                    if (!exactlyOnce) {
                        records = dedupe(records); // by (id, seq), as consumers do
                    }
                    StringBuilder text = new StringBuilder();
                    for (int j = 0; j < records.size() - 1; j++) {
                        TextReply.Chunk c = (TextReply.Chunk) records.get(j);
                        assertThat(c.seq()).as("k%d record %d", i, j).isEqualTo(j);
                        text.append(c.delta());
                    }
                    TextReply.Result r = (TextReply.Result) records.get(records.size() - 1);
                    assertThat(r.text()).isEqualTo(text.toString());
                    SamplingParams p = SamplingParams.builder().maxTokens(56).seed(10L + i).build();
                    assertThat(r.text())
                            .isEqualTo(
                                    new TextGenerator(local)
                                            .generate("Emma Woodhouse,", p, t -> {})
                                            .text());
                }
            }
        } finally {
            cluster.down();
            if (s != null) {
                assertThat(s.pids()).noneMatch(LocalCluster::alive);
            }
        }
    }

    /**
     * An at-least-once stream after a failover, reduced as a consumer does: one record per seq (a
     * repeated chunk must carry the same text), in seq order, ending at the final record.
     */
    private static List<TextReply> dedupe(List<TextReply> records) {
        java.util.TreeMap<Integer, TextReply> bySeq = new java.util.TreeMap<>();
        for (TextReply r : records) {
            TextReply first = bySeq.putIfAbsent(r.seq(), r);
            if (first instanceof TextReply.Chunk a && r instanceof TextReply.Chunk b) {
                assertThat(b.delta()).as("repeated seq %d", r.seq()).isEqualTo(a.delta());
            } else if (first instanceof TextReply.Result a && r instanceof TextReply.Result b) {
                assertThat(b.text()).as("repeated final record").isEqualTo(a.text());
            }
        }
        return new ArrayList<>(bySeq.values());
    }

    private static KafkaConsumer<String, byte[]> replies(
            KafkaSettings kafka, Topics topics, boolean readCommitted) {
        java.util.Properties p = kafka.clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", readCommitted ? "read_committed" : "read_uncommitted");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p);
        TopicPartition tp = new TopicPartition(topics.generatedText().name(), 0);
        c.assign(List.of(tp));
        c.seekToBeginning(List.of(tp));
        return c;
    }

    private static void poll(
            KafkaConsumer<String, byte[]> c, Map<String, List<TextReply>> seen, boolean once) {
        for (var r : c.poll(Duration.ofMillis(300))) {
            TextReply reply = TextReply.CODEC.decode(r.value());
            List<TextReply> list = seen.computeIfAbsent(reply.id(), k -> new ArrayList<>());
            if (once) {
                assertThat(list)
                        .as("%s: nothing after its final record", reply.id())
                        .noneMatch(TextReply::done);
            }
            list.add(reply);
        }
    }

    private static int finished(Map<String, List<TextReply>> seen) {
        int n = 0;
        for (List<TextReply> records : seen.values()) {
            n += records.stream().anyMatch(TextReply::done) ? 1 : 0;
        }
        return n;
    }

    private static void ingest(KafkaSettings kafka, Topics topics, Path dir, StringWriter log)
            throws Exception {
        new TextIngest(
                        kafka,
                        topics,
                        new TextIngest.Options("washington", TextIngest.BadBytes.REPLACE, false),
                        new PrintWriter(log, true))
                .run(List.of(dir), false);
    }

    /** Tokens the packer sees: every chunk not held out, plus end-of-text after each document. */
    private static long trainableTokens(KafkaSettings kafka, Topics topics, double heldOut) {
        long tokens = 0;
        try (var bytes = io.belamy.core.tokenizer.Tokenizers.bytes()) {
            for (var r :
                    KafkaRecords.readUntil(
                            kafka,
                            topics.corpusText().name(),
                            true,
                            Duration.ofSeconds(30),
                            x -> !x.isEmpty())) {
                io.belamy.core.topic.CorpusChunk c =
                        io.belamy.core.topic.CorpusChunk.CODEC.decode(r.value());
                if (!io.belamy.train.TokenizeAndPack.heldOut(c, heldOut)) {
                    tokens += bytes.encode(c.text()).length + (c.last() ? 1 : 0);
                }
            }
        }
        return tokens;
    }

    /** Every version so far, once the newest satisfies {@code done}. */
    private static List<ModelVersionRecord> versions(
            KafkaSettings kafka,
            Topics topics,
            int atLeast,
            java.util.function.Predicate<ModelVersionRecord> done) {
        return KafkaRecords.readUntil(
                        kafka,
                        topics.models().name(),
                        true,
                        Duration.ofMinutes(4),
                        r ->
                                r.size() >= atLeast
                                        && done.test(
                                                ModelVersionRecord.CODEC.decode(
                                                        r.get(r.size() - 1).value())))
                .stream()
                .map(r -> ModelVersionRecord.CODEC.decode(r.value()))
                .toList();
    }

    /**
     * Waits until the trainer's metrics show every ingested token seen and less than a batch
     * waiting (the last tokens may arrive after the last version, too few for another step, so no
     * version need report them), then checks the accounting: trained + pending = ingested.
     */
    private static void awaitConsumed(LocalCluster.State s, String job, long expected, Path logs)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (trainMetric(s, job, "tokensSeen") != expected
                || trainMetric(s, job, "tokensPending") >= 8 * 64) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the trainer did not see all "
                                + expected
                                + " tokens within 4 minutes\n"
                                + diagnosis(s, job, logs));
            }
            Thread.sleep(500);
        }
        long steps = trainMetric(s, job, "steps");
        long trained = trainMetric(s, job, "tokensTrained");
        assertThat(trained).isEqualTo(steps * 8 * 64);
        assertThat(trained + trainMetric(s, job, "tokensPending")).isEqualTo(expected);
    }

    /** Waits until the cluster lists {@code count} TaskManagers. */
    private static void awaitTaskManagers(LocalCluster.State s, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (LocalCluster.rest(s, "/taskmanagers").path("taskmanagers").size() != count) {
            assertThat(System.nanoTime())
                    .as("the cluster lists %d TaskManagers", count)
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** What a failed wait needs to be understood: metrics, job state, exceptions, log tails. */
    private static String diagnosis(LocalCluster.State s, String job, Path logs) {
        StringBuilder b = new StringBuilder();
        try {
            for (String m : List.of("tokensSeen", "tokensPending", "steps", "tokensTrained")) {
                b.append(m).append('=').append(trainMetric(s, job, m)).append(' ');
            }
            var jobInfo = LocalCluster.rest(s, "/jobs/" + job);
            b.append("\njob: ").append(jobInfo.path("state"));
            for (var v : jobInfo.path("vertices")) {
                String base = "/jobs/" + job + "/vertices/" + v.path("id").asText() + "/metrics";
                List<String> ids = new java.util.ArrayList<>();
                LocalCluster.rest(s, base).forEach(m -> ids.add(m.path("id").asText()));
                b.append("\nvertex ")
                        .append(v.path("name").asText())
                        .append(": ")
                        .append(v.path("status").asText())
                        .append(", ")
                        .append(ids.size())
                        .append(" metrics, belamy's: ")
                        .append(ids.stream().filter(i -> i.contains("belamy")).toList());
            }
            b.append("\nexceptions: ")
                    .append(
                            abbreviate(
                                    LocalCluster.rest(s, "/jobs/" + job + "/exceptions").toString(),
                                    4000));
        } catch (Exception e) {
            b.append("\nREST: ").append(e);
        }
        try (var files = Files.list(logs)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                b.append("\n==== ").append(f.getFileName()).append(": metric warnings\n");
                lines.stream()
                        .filter(l -> l.contains("will not be reported") || l.contains("Exception"))
                        .limit(20)
                        .forEach(l -> b.append(abbreviate(l, 400)).append('\n'));
                b.append("\n==== ").append(f.getFileName()).append(" (last 60 lines)\n");
                lines.subList(Math.max(0, lines.size() - 60), lines.size())
                        .forEach(l -> b.append(abbreviate(l, 400)).append('\n'));
            }
        } catch (Exception e) {
            b.append("\nlogs: ").append(e);
        }
        return b.toString();
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /** A metric of the training operator through the cluster's REST API, or -1 while absent. */
    private static long trainMetric(LocalCluster.State s, String job, String suffix)
            throws Exception {
        try {
            for (var v : LocalCluster.rest(s, "/jobs/" + job).path("vertices")) {
                if (!v.path("name").asText().contains("train")) {
                    continue;
                }
                String base = "/jobs/" + job + "/vertices/" + v.path("id").asText() + "/metrics";
                for (var m : LocalCluster.rest(s, base)) {
                    String id = m.path("id").asText();
                    if (id.contains("belamy.model.") && id.endsWith("." + suffix)) {
                        return LocalCluster.rest(s, base + "?get=" + id)
                                .get(0)
                                .path("value")
                                .asLong(-1);
                    }
                }
            }
        } catch (java.io.IOException e) {
            return -1; // restarting
        }
        return -1;
    }

    /** Everything ingested has been seen, and less than a batch waits. */
    private static boolean consumed(ModelVersionRecord r, long expected) {
        return r.counters().get("tokensSeen") == expected
                && r.counters().get("tokensPending") < 8 * 64;
    }

    private static ModelVersionRecord last(List<ModelVersionRecord> versions) {
        return versions.get(versions.size() - 1);
    }

    /** Versions count up by one and steps only go forward, across failures and restarts. */
    private static void assertContinuous(List<ModelVersionRecord> versions) {
        for (int i = 1; i < versions.size(); i++) {
            assertThat(versions.get(i).version()).isEqualTo(versions.get(i - 1).version() + 1);
            assertThat(versions.get(i).counters().get("steps"))
                    .isGreaterThan(versions.get(i - 1).counters().get("steps"));
        }
    }

    /** The pid of the TaskManager whose log shows it received a task of {@code job}. */
    private long taskManagerRunning(LocalCluster.State s, String job) throws Exception {
        Path logs = work.resolve("cluster").resolve("log");
        for (int i = 0; i < s.taskManagerPids().size(); i++) {
            Path file = logs.resolve("taskmanager-" + i + ".log");
            if (Files.isRegularFile(file)) {
                String text = Files.readString(file);
                if (text.contains("Received task") && text.toLowerCase().contains(job)) {
                    return s.taskManagerPids().get(i);
                }
            }
        }
        throw new AssertionError("no TaskManager log shows the " + job + " job");
    }
}

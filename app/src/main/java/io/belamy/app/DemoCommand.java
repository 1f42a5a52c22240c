package io.belamy.app;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.generate.GenerateJob;
import io.belamy.ingest.TextIngest;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.JobArgs;
import io.belamy.train.TrainTextJob;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run belamy end to end on this machine, in about a minute: an embedded Kafka broker and"
                    + " Flink MiniCluster; the bundled Jane Austen corpus ingested; the bundled"
                    + " GPT-2 fine-tuned on it by the train-text job until it has published a few"
                    + " versions; the newest version served by the generation job; prompts with"
                    + " their replies streamed back, and an invalid prompt with its error reply and"
                    + " dead letter. Everything stops when done."
        })
final class DemoCommand implements Callable<Integer> {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(90);
    private static final String MODEL_NAME = "austen-gpt";

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "GPT-2 directory to fine-tune and serve (default: the bundled models/gpt2-tiny).")
    Path model;

    @Option(
            names = "--corpus",
            paramLabel = "DIR",
            description = "Text to fine-tune on (default: the bundled data/text/austen).")
    Path corpus;

    @Option(
            names = "--versions",
            paramLabel = "N",
            description = "Model versions to train before serving (default: ${DEFAULT-VALUE}).")
    int versions = 3;

    @Option(
            names = "--steps-per-version",
            paramLabel = "N",
            description = "Training steps per version (default: ${DEFAULT-VALUE}).")
    int stepsPerVersion = 30;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Work directory, emptied first (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of(".belamy", "demo");

    /** The belamy installation (the launcher sets belamy.home). */
    static Path home() {
        return Path.of(System.getProperty("belamy.home", "."));
    }

    record Example(String id, String prompt, SamplingParams params, String description) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path baseModel = model != null ? model : home().resolve("models/gpt2-tiny");
        Path text = corpus != null ? corpus : home().resolve("data/text/austen");
        for (Path p : List.of(baseModel, text)) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException(p.toAbsolutePath() + " not found");
            }
        }
        if (versions < 1 || stepsPerVersion < 1) {
            throw new IllegalArgumentException("--versions and --steps-per-version must be >= 1");
        }
        // The demo narrates its own progress; belamy's INFO logs would repeat it.
        org.apache.logging.log4j.core.config.Configurator.setLevel(
                "io.belamy", org.apache.logging.log4j.Level.WARN);
        out.println(
                "belamy demo: text into Kafka, a Flink job fine-tuning GPT-2 on it, the result serving prompts.");
        out.println();
        long start = System.nanoTime();
        out.printf(
                "[1/5] starting an embedded Kafka broker and Flink MiniCluster in %s ...%n",
                workDir);
        out.flush();
        io.belamy.core.io.FileTrees.delete(workDir);
        Topics topics = Topics.defaults();
        int failures = 0;
        try (EmbeddedRuntime runtime =
                EmbeddedRuntime.start(new EmbeddedRuntime.Options(workDir, 0, null, topics, 4))) {
            out.printf(
                    Locale.ROOT,
                    "      Kafka at %s, Flink Web UI at %s (%.1f s)%n",
                    runtime.kafka().bootstrapServers(),
                    runtime.flink().restAddress(),
                    seconds(start));

            out.printf("[2/5] ingesting %s into %s ...%n", text, topics.corpusText().name());
            out.flush();
            TextIngest.Summary ingested =
                    new TextIngest(
                                    runtime.kafka(),
                                    topics,
                                    new TextIngest.Options(
                                            "austen", TextIngest.BadBytes.REPLACE, false),
                                    out)
                            .run(List.of(text), false);
            out.printf(
                    Locale.ROOT,
                    "      %d files, %d chunks (%.1f s)%n",
                    ingested.count(TextIngest.Status.INGESTED),
                    ingested.chunks(),
                    seconds(start));

            ModelStore store = ModelStore.at(workDir.resolve("store"));
            out.printf(
                    "[3/5] fine-tuning %s on it with the train-text job (%d versions of %d steps) ...%n",
                    baseModel, versions, stepsPerVersion);
            out.flush();
            Map<String, String> train = new LinkedHashMap<>();
            train.put(CommonKeys.BOOTSTRAP_SERVERS.name(), runtime.kafka().bootstrapServers());
            train.put(CommonKeys.CHECKPOINT_INTERVAL.name(), "2s");
            train.put(TrainTextJob.MODEL_NAME.name(), MODEL_NAME);
            train.put(TrainTextJob.MODEL_FROM.name(), baseModel.toAbsolutePath().toString());
            train.put(TrainTextJob.MODEL_STORE.name(), store.location());
            train.put(TrainTextJob.BATCH_SIZE.name(), "16");
            train.put(TrainTextJob.SEQUENCE_LENGTH.name(), "64");
            train.put(TrainTextJob.LEARNING_RATE.name(), "0.0005");
            train.put(TrainTextJob.STEPS_PER_VERSION.name(), Integer.toString(stepsPerVersion));
            train.put(TrainTextJob.EVAL_INTERVAL.name(), Integer.toString(stepsPerVersion));
            train.put(TrainTextJob.HELD_OUT.name(), "0.15");
            JobArgs trainArgs = JobArgs.of(train, TrainTextJob.KEYS);
            JobClient training =
                    runtime.submit(
                            "belamy train-text " + MODEL_NAME,
                            env -> TrainTextJob.configure(env, trainArgs),
                            Duration.ofMinutes(3));
            ModelVersionRecord newest = awaitVersions(runtime, topics, versions, out, start);
            training.cancel().get(60, TimeUnit.SECONDS);
            Path served = ModelStore.localCopy(newest.uri());

            out.printf(
                    "[4/5] serving %s v%d with the generation job ...%n",
                    MODEL_NAME, newest.version());
            out.flush();
            JobArgs serveArgs =
                    JobArgs.of(
                            Map.of(
                                    CommonKeys.BOOTSTRAP_SERVERS.name(),
                                            runtime.kafka().bootstrapServers(),
                                    GenerateJob.MODEL_DIR.name(), served.toString(),
                                    CommonKeys.CHECKPOINT_INTERVAL.name(), "2s"),
                            GenerateJob.KEYS);
            runtime.submit(
                    "belamy generate",
                    env -> GenerateJob.configure(env, serveArgs),
                    Duration.ofMinutes(3));
            out.printf(
                    "      prompts to %s, replies from %s%n",
                    topics.prompts().name(), topics.generatedText().name());
            failures += prompts(runtime, topics, out);
            out.println("[5/5] stopping the job, Flink and Kafka ...");
            out.flush();
        }
        out.printf(Locale.ROOT, "      done in %.1f s%n%n", seconds(start));
        out.println("Try it yourself (README.md, \"Prompts through Kafka in five minutes\"):");
        out.println("  ./belamy serve --model models/gpt2-tiny              # terminal 1");
        out.println("  ./belamy prompt \"Once upon a time\" --max-tokens 40   # terminal 2");
        out.flush();
        return failures == 0 ? 0 : Errors.FAILURE;
    }

    /** Prints versions as they are published until {@code count} have been; returns the last. */
    private static ModelVersionRecord awaitVersions(
            EmbeddedRuntime runtime, Topics topics, int count, PrintWriter out, long start) {
        Properties p = runtime.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        p.setProperty("isolation.level", "read_committed");
        List<ModelVersionRecord> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topics.models().name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            while (seen.size() < count) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "no model version after 10 minutes of training");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    ModelVersionRecord v;
                    try {
                        v = ModelVersionRecord.CODEC.decode(r.value());
                    } catch (InvalidRecordException e) {
                        continue;
                    }
                    seen.add(v);
                    out.printf(
                            Locale.ROOT,
                            "      v%d: step %d, %,d tokens trained, loss %.3f, held-out loss %s (%.1f s)%n",
                            v.version(),
                            v.counters().getOrDefault("steps", 0L),
                            v.counters().getOrDefault("tokensTrained", 0L),
                            v.metrics().getOrDefault("loss", Double.NaN),
                            v.metrics().containsKey("heldOutLoss")
                                    ? String.format(
                                            Locale.ROOT, "%.3f", v.metrics().get("heldOutLoss"))
                                    : "-",
                            seconds(start));
                    out.flush();
                }
            }
        }
        return seen.get(seen.size() - 1);
    }

    /** Three prompts and an invalid one; returns the number of unexpected outcomes. */
    private static int prompts(EmbeddedRuntime runtime, Topics topics, PrintWriter out)
            throws Exception {
        int failures = 0;
        List<Example> examples =
                List.of(
                        new Example(
                                "demo-1",
                                "Emma Woodhouse, handsome, clever, and rich,",
                                SamplingParams.builder().maxTokens(40).temperature(0).build(),
                                "greedy, 40 tokens"),
                        new Example(
                                "demo-2",
                                "It is a truth universally acknowledged",
                                SamplingParams.builder()
                                        .maxTokens(40)
                                        .temperature(0.8f)
                                        .seed(2026L)
                                        .build(),
                                "temperature 0.8, top-k 50, top-p 0.95, seed 2026"),
                        new Example(
                                "demo-3",
                                "Anne Elliot had been",
                                SamplingParams.builder()
                                        .maxTokens(40)
                                        .temperature(0.7f)
                                        .seed(7L)
                                        .stop(List.of("."))
                                        .build(),
                                "stop at the first \".\""));
        try (ReplyConsumer replies = new ReplyConsumer(runtime.kafka(), topics, false);
                PromptProducer producer = new PromptProducer(runtime.kafka(), topics)) {
            for (Example e : examples) {
                out.printf("  > %s  (%s)%n    ", '"' + e.prompt() + '"', e.description());
                out.flush();
                producer.send(PromptRecord.text(e.id(), e.prompt(), PromptParams.of(e.params())));
                TextReply reply =
                        replies.await(
                                e.id(),
                                REPLY_TIMEOUT,
                                d -> {
                                    out.print(d.replace("\n", "\n    "));
                                    out.flush();
                                });
                out.println();
                if (reply instanceof TextReply.Result r) {
                    out.printf(
                            Locale.ROOT,
                            "    [%s, %d tokens, first token after %d ms, %d ms in all]%n",
                            r.finishReason(),
                            r.usage().completionTokens(),
                            r.timings().ttftMs(),
                            r.timings().totalMs());
                } else {
                    failures++;
                    out.println("    unexpected error: " + ((TextReply.Error) reply).error());
                }
            }
            String bad =
                    "{\"id\":\"demo-bad\",\"task\":\"text\",\"prompt\":\"x\",\"params\":{\"topP\":1.5}}";
            out.printf("  > an invalid prompt: %s%n", bad);
            producer.send("demo-bad", bad.getBytes(StandardCharsets.UTF_8));
            TextReply reply = replies.await("demo-bad", REPLY_TIMEOUT, d -> {});
            if (reply instanceof TextReply.Error e) {
                out.printf("    error reply: %s: %s%n", e.error().code(), e.error().message());
            } else {
                failures++;
                out.println("    expected an error reply, got " + reply);
            }
            DeadLetter letter = firstDeadLetter(runtime, topics);
            if (letter != null) {
                out.printf(
                        "    dead letter on %s: from %s offset %d, %s%n",
                        topics.dlq().name(),
                        letter.source().topic(),
                        letter.source().offset(),
                        letter.error().code());
            } else {
                failures++;
                out.println("    no dead letter arrived on " + topics.dlq().name());
            }
        }
        return failures;
    }

    private static DeadLetter firstDeadLetter(EmbeddedRuntime runtime, Topics topics) {
        Properties p = runtime.kafka().clientConfig();
        p.setProperty("key.deserializer", StringDeserializer.class.getName());
        p.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
            TopicPartition tp = new TopicPartition(topics.dlq().name(), 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    DeadLetter d = DeadLetter.CODEC.decode(r.value());
                    if (d.source().topic().equals(topics.prompts().name())) {
                        return d;
                    }
                }
            }
        }
        return null;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

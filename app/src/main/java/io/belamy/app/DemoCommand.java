package io.belamy.app;

import io.belamy.app.client.PromptProducer;
import io.belamy.app.client.ReplyConsumer;
import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.generate.GenerateJob;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.JobArgs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
            "Run belamy end to end on this machine: an embedded Kafka broker and Flink MiniCluster,"
                    + " the generation job serving the bundled GPT-2 model, a few prompts with their"
                    + " replies streamed back, and an invalid prompt with its error reply and dead"
                    + " letter. Stops everything when done."
        })
final class DemoCommand implements Callable<Integer> {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(90);

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model directory to serve (default: the bundled models/gpt2-tiny).")
    Path model;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Work directory, emptied first (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of(".belamy", "demo");

    /** The models directory of this belamy installation (the launcher sets belamy.home). */
    static Path bundledModel() {
        return Path.of(System.getProperty("belamy.home", "."))
                .resolve("models")
                .resolve("gpt2-tiny");
    }

    record Example(String id, String prompt, SamplingParams params, String description) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path modelDir = model != null ? model : bundledModel();
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException(
                    "model directory "
                            + modelDir.toAbsolutePath()
                            + " not found (pass --model DIR)");
        }
        out.println(
                "belamy demo: prompts through Kafka and Flink to a GPT-2 model, replies streamed back.");
        out.println();
        long start = System.nanoTime();
        out.printf(
                "[1/4] starting an embedded Kafka broker and Flink MiniCluster in %s ...%n",
                workDir);
        out.flush();
        deleteRecursively(workDir);
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
            out.printf("[2/4] submitting the generation job serving %s ...%n", modelDir);
            out.flush();
            JobArgs args =
                    JobArgs.of(
                            Map.of(
                                    CommonKeys.BOOTSTRAP_SERVERS.name(),
                                            runtime.kafka().bootstrapServers(),
                                    GenerateJob.MODEL_DIR.name(),
                                            modelDir.toAbsolutePath().toString(),
                                    CommonKeys.CHECKPOINT_INTERVAL.name(), "2s"),
                            GenerateJob.KEYS);
            runtime.submit(
                    "belamy generate",
                    env -> GenerateJob.configure(env, args),
                    Duration.ofMinutes(3));
            out.printf(Locale.ROOT, "      running (%.1f s)%n", seconds(start));
            out.printf(
                    "[3/4] prompts to %s, replies from %s%n",
                    topics.prompts().name(), topics.generatedText().name());
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
                                            .maxTokens(48)
                                            .temperature(0.9f)
                                            .seed(2026L)
                                            .build(),
                                    "temperature 0.9, top-k 50, top-p 0.95, seed 2026"),
                            new Example(
                                    "demo-3",
                                    "The weather was so fine that",
                                    SamplingParams.builder()
                                            .maxTokens(64)
                                            .temperature(0.7f)
                                            .seed(7L)
                                            .stop(List.of("."))
                                            .build(),
                                    "stop at the first \".\""));
            try (ReplyConsumer replies = new ReplyConsumer(runtime.kafka(), topics, false);
                    PromptProducer producer = new PromptProducer(runtime.kafka(), topics)) {
                for (Example e : examples) {
                    out.printf("  > %s  (%s)%n    ", quote(e.prompt()), e.description());
                    out.flush();
                    producer.send(
                            PromptRecord.text(e.id(), e.prompt(), PromptParams.of(e.params())));
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
            out.println("[4/4] stopping the job, Flink and Kafka ...");
            out.flush();
        }
        out.printf(Locale.ROOT, "      done in %.1f s%n%n", seconds(start));
        out.println("Try it yourself (two terminals):");
        out.println("  ./belamy serve --model " + modelDir);
        out.println("  ./belamy prompt \"Once upon a time\" --max-tokens 40 --seed 1");
        out.flush();
        return failures == 0 ? 0 : Errors.FAILURE;
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
                    return DeadLetter.CODEC.decode(r.value());
                }
            }
        }
        return null;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}

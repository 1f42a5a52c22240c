package io.belamy.app;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.bench.JitWarmup;
import io.belamy.core.generation.BatchGenerator;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.generate.GenerateJob;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.JobArgs;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Time to first token and time per output token through Kafka and the generation job, beside the
 * model's own times for the same work (the same prompts, params and concurrency through {@link
 * BatchGenerator} in this JVM), at several concurrencies. Each level runs closed-loop: as soon as a
 * request's final record arrives, the next prompt is sent, so {@code concurrency} requests are
 * always in flight.
 */
final class PipelineBenchmark {

    /**
     * @param warmupSeconds most time for warm-up rounds (each level once, not reported), which
     *     repeat until the JIT has settled (see {@link JitWarmup}): in one JVM with the broker and
     *     Flink it compiles for about a minute, taking most of a core from everything else
     */
    record Options(
            Path model,
            List<Integer> concurrency,
            int requests,
            int tokens,
            int warmupSeconds,
            Path work) {
        Options {
            if (warmupSeconds < 0) {
                throw new IllegalArgumentException(
                        "warm-up seconds must not be negative: " + warmupSeconds);
            }
        }
    }

    private static final String[] PROMPTS = {
        "It is a truth universally acknowledged",
        "Emma Woodhouse, handsome, clever,",
        "The family of Dashwood had long",
        "Sir Walter Elliot, of Kellynch Hall,",
    };

    /** One request's times, in nanoseconds from its send. */
    record Timing(long firstToken, long end, int tokens, long queueMs, long firstOutMs) {}

    private PipelineBenchmark() {}

    static void run(Options o, PrintStream out) throws Exception {
        int batch = o.concurrency().stream().max(Integer::compare).orElse(16);
        out.printf(
                Locale.ROOT,
                "pipeline benchmark: model %s, %d requests of %d new tokens per level (sampled),"
                        + " closed loop, after unmeasured warm-up rounds (until the JIT settles, at most %d s); job batch limit"
                        + " %d; engine threads %s%n",
                o.model(),
                o.requests(),
                o.tokens(),
                o.warmupSeconds(),
                batch,
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        Files.createDirectories(o.work());
        try (EmbeddedRuntime runtime =
                        EmbeddedRuntime.start(
                                new EmbeddedRuntime.Options(
                                        o.work(), 0, null, Topics.defaults(), 4));
                GptModel model = GptModel.load(o.model())) {
            Map<String, String> args = new LinkedHashMap<>();
            args.put(CommonKeys.BOOTSTRAP_SERVERS.name(), runtime.kafka().bootstrapServers());
            args.put(CommonKeys.CHECKPOINT_INTERVAL.name(), "5s");
            args.put(GenerateJob.MODEL_DIR.name(), o.model().toAbsolutePath().toString());
            args.put(GenerateJob.BATCH_SIZE.name(), Integer.toString(batch));
            JobArgs jobArgs = JobArgs.of(args, GenerateJob.KEYS);
            JobClient job =
                    runtime.submit(
                            "belamy generate (benchmark)",
                            env -> GenerateJob.configure(env, jobArgs),
                            Duration.ofMinutes(3));
            try (Client client = new Client(runtime)) {
                // warm-up, not reported: on few cores the JIT competes with everything at first
                JitWarmup.Result warmup =
                        JitWarmup.run(
                                () -> {
                                    for (int c : List.of(1, 4, batch)) {
                                        client.level(c, 32, o.tokens());
                                        engine(model, c, 32, o.tokens());
                                    }
                                },
                                0,
                                o.warmupSeconds());
                double jitBefore = JitWarmup.jitSeconds();
                long measuredStart = System.nanoTime();
                out.printf(Locale.ROOT, "warm-up: %s%n", warmup.describe());
                out.printf(
                        Locale.ROOT,
                        "%-11s %-9s %10s %10s %12s %12s %12s %12s %10s%n",
                        "concurrency",
                        "side",
                        "TTFT p50",
                        "TTFT p99",
                        "TPOT p50",
                        "TPOT p99",
                        "tokens/s",
                        "queue p50",
                        "out p50");
                for (int c : o.concurrency()) {
                    // each level starts warm: its batch shapes compiled, its queues settled
                    client.level(c, 2 * c, o.tokens());
                    engine(model, c, 2 * c, o.tokens());
                    long start = System.nanoTime();
                    List<Timing> pipeline = client.level(c, o.requests(), o.tokens());
                    double pipelineSeconds = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    List<Timing> local = engine(model, c, o.requests(), o.tokens());
                    double localSeconds = (System.nanoTime() - start) / 1e9;
                    Stats p = Stats.of(pipeline, pipelineSeconds);
                    Stats m = Stats.of(local, localSeconds);
                    print(out, c, "pipeline", p);
                    print(out, c, "model", m);
                    out.printf(
                            Locale.ROOT,
                            "%-11d %-9s %8.1fms %8.1fms   (Kafka + Flink share of time to first"
                                    + " token)%n",
                            c,
                            "overhead",
                            p.ttft50() - m.ttft50(),
                            p.ttft99() - m.ttft99());
                }
                out.printf(
                        Locale.ROOT,
                        "JIT compilation while measuring: %.1f s in %.1f s%n",
                        JitWarmup.jitSeconds() - jitBefore,
                        (System.nanoTime() - measuredStart) / 1e9);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static void print(PrintStream out, int c, String side, Stats s) {
        out.printf(
                Locale.ROOT,
                "%-11d %-9s %8.1fms %8.1fms %10.2fms %10.2fms %12.1f %10.1fms %8.1fms%n",
                c,
                side,
                s.ttft50(),
                s.ttft99(),
                s.tpot50(),
                s.tpot99(),
                s.tokensPerSecond(),
                s.queue50(),
                s.out50());
    }

    static SamplingParams params(int i, int tokens) {
        return SamplingParams.builder().maxTokens(tokens).seed(100L + i).topK(0).build();
    }

    /** The same load on the engine alone: closed loop of {@code c} requests. */
    static List<Timing> engine(GptModel model, int c, int requests, int tokens) {
        List<Timing> timings = new ArrayList<>();
        int[] sent = {0};
        try (BatchGenerator generator = new BatchGenerator(model, c)) {
            while (timings.size() < requests) {
                while (sent[0] < requests && generator.running() < c) {
                    int i = sent[0]++;
                    SamplingParams p = params(i, tokens);
                    int[] ids =
                            TextGenerator.fitToContext(
                                    model.config(),
                                    model.tokenizer().encode(PROMPTS[i % PROMPTS.length]),
                                    p);
                    generator.start(
                            new BatchGenerator.Request(
                                    ids,
                                    p,
                                    p.seed(),
                                    System.nanoTime(),
                                    new BatchGenerator.Listener() {
                                        @Override
                                        public void onText(String piece) {}

                                        @Override
                                        public void onDone(Generation g) {
                                            timings.add(
                                                    new Timing(
                                                            g.timeToFirstTokenNanos(),
                                                            g.totalNanos(),
                                                            g.tokenIds().length,
                                                            0,
                                                            0));
                                        }

                                        @Override
                                        public void onError(RuntimeException e) {
                                            throw e;
                                        }
                                    }));
                }
                generator.step();
            }
        }
        return timings;
    }

    /** Percentiles of a level. */
    record Stats(
            double ttft50,
            double ttft99,
            double tpot50,
            double tpot99,
            double tokensPerSecond,
            double queue50,
            double out50) {
        static Stats of(List<Timing> timings, double seconds) {
            double[] ttft = timings.stream().mapToDouble(t -> t.firstToken() / 1e6).toArray();
            double[] tpot =
                    timings.stream()
                            .filter(t -> t.tokens() > 1)
                            .mapToDouble(t -> (t.end() - t.firstToken()) / 1e6 / (t.tokens() - 1))
                            .toArray();
            long tokens = timings.stream().mapToLong(Timing::tokens).sum();
            return new Stats(
                    percentile(ttft, 50),
                    percentile(ttft, 99),
                    percentile(tpot, 50),
                    percentile(tpot, 99),
                    tokens / seconds,
                    percentile(timings.stream().mapToDouble(Timing::queueMs).toArray(), 50),
                    percentile(timings.stream().mapToDouble(Timing::firstOutMs).toArray(), 50));
        }
    }

    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    /** A warm producer and a consumer thread, as a client application would have. */
    private static final class Client implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer;
        private final Thread reader;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Map<String, long[]> open = new ConcurrentHashMap<>(); // sent, first
        private final Map<String, Timing> done = new ConcurrentHashMap<>();
        private final Semaphore slots = new Semaphore(0);
        private final String topic;
        private int next;

        Client(EmbeddedRuntime runtime) throws InterruptedException {
            Properties p = runtime.kafka().clientConfig();
            p.setProperty("key.serializer", StringSerializer.class.getName());
            p.setProperty("value.serializer", ByteArraySerializer.class.getName());
            p.setProperty("linger.ms", "0");
            producer = new KafkaProducer<>(p);
            topic = runtime.topics().prompts().name();
            Properties c = runtime.kafka().clientConfig();
            c.setProperty("key.deserializer", StringDeserializer.class.getName());
            c.setProperty("value.deserializer", ByteArrayDeserializer.class.getName());
            String replies = runtime.topics().generatedText().name();
            CountDownLatch ready = new CountDownLatch(1);
            reader =
                    new Thread(
                            () -> {
                                try (KafkaConsumer<String, byte[]> consumer =
                                        new KafkaConsumer<>(c)) {
                                    List<TopicPartition> parts = new ArrayList<>();
                                    consumer.partitionsFor(replies)
                                            .forEach(
                                                    i ->
                                                            parts.add(
                                                                    new TopicPartition(
                                                                            replies,
                                                                            i.partition())));
                                    consumer.assign(parts);
                                    consumer.seekToEnd(parts);
                                    parts.forEach(consumer::position);
                                    ready.countDown();
                                    while (!stop.get()) {
                                        for (ConsumerRecord<String, byte[]> r :
                                                consumer.poll(Duration.ofMillis(50))) {
                                            accept(r, System.nanoTime());
                                        }
                                    }
                                }
                            },
                            "benchmark-replies");
            reader.setDaemon(true);
            reader.start();
            ready.await(60, TimeUnit.SECONDS);
        }

        private void accept(ConsumerRecord<String, byte[]> r, long now) {
            long[] times = open.get(r.key());
            if (times == null) {
                return;
            }
            TextReply reply = TextReply.CODEC.decode(r.value());
            if (times[1] == 0) {
                times[1] = now; // first record: a chunk, or the end of a one-token reply
                // from the sink's send (the record's create time) to here
                times[2] = Math.max(0, System.currentTimeMillis() - r.timestamp());
            }
            if (reply instanceof TextReply.Result result) {
                open.remove(r.key());
                done.put(
                        r.key(),
                        new Timing(
                                times[1] - times[0],
                                now - times[0],
                                result.usage().completionTokens(),
                                result.timings().queueMs(),
                                times[2]));
                slots.release();
            } else if (reply instanceof TextReply.Error e) {
                throw new IllegalStateException("request " + r.key() + " failed: " + e.error());
            }
        }

        /** {@code requests} prompts, {@code c} in flight at a time. */
        List<Timing> level(int c, int requests, int tokens) throws Exception {
            done.clear();
            slots.drainPermits();
            slots.release(c);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                if (!slots.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no reply within 120 s");
                }
                String id = "bench-" + next++;
                ids.add(id);
                PromptRecord prompt =
                        PromptRecord.text(
                                id,
                                PROMPTS[i % PROMPTS.length],
                                PromptParams.of(params(i, tokens)));
                open.put(id, new long[] {System.nanoTime(), 0, 0});
                producer.send(new ProducerRecord<>(topic, id, PromptRecord.CODEC.encode(prompt)));
            }
            if (!slots.tryAcquire(c, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the last replies did not come within 120 s");
            }
            List<Timing> out = new ArrayList<>();
            ids.forEach(id -> out.add(done.get(id)));
            return out;
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            reader.join(5000);
            producer.close();
        }
    }
}

package io.belamy.app;

import io.belamy.app.runtime.EmbeddedKafka;
import io.belamy.app.runtime.TopicAdmin;
import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.MidiIngest;
import io.belamy.ingest.TextIngest;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Ingest throughput on one broker: {@code belamy ingest text} (MB/s) and {@code belamy ingest midi}
 * (files/s), beside Kafka's own {@code kafka-producer-perf-test} ({@code
 * org.apache.kafka.tools.ProducerPerformance}) sending the same number of records of the text's
 * mean chunk size with the same guarantees (idempotent, acks=all); rounds interleaved.
 */
final class IngestBenchmark {

    record Options(Path text, Path midi, int rounds, Path work) {}

    private static final Pattern SUMMARY =
            Pattern.compile("([0-9.]+) records/sec \\(([0-9.]+) MB/sec\\)");

    private IngestBenchmark() {}

    static void run(Options o, PrintStream out) throws Exception {
        try (EmbeddedKafka broker = EmbeddedKafka.start(o.work().resolve("kafka"), 0)) {
            KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
            Topics topics = Topics.defaults();
            TopicAdmin.ensureTopics(kafka, topics, 1, (short) 1);
            try (Admin admin = Admin.create(kafka.clientConfig())) {
                admin.createTopics(List.of(new NewTopic("perf", 1, (short) 1))).all().get();
            }
            out.printf(
                    Locale.ROOT,
                    "ingest benchmark: broker in this JVM on %s; text %s, MIDI %s; %d rounds,"
                            + " interleaved%n",
                    broker.bootstrapServers(),
                    o.text(),
                    o.midi(),
                    o.rounds());
            out.printf(
                    Locale.ROOT,
                    "%-6s %14s %16s %14s %14s %16s%n",
                    "round",
                    "text MB/s",
                    "perf-test MB/s",
                    "text chunks/s",
                    "MIDI files/s",
                    "MIDI events/s");
            List<Double> ratios = new ArrayList<>();
            for (int r = 1; r <= o.rounds(); r++) {
                StringWriter quiet = new StringWriter();
                TextIngest.Summary text =
                        new TextIngest(
                                        kafka,
                                        topics,
                                        new TextIngest.Options(
                                                "bench", TextIngest.BadBytes.REPLACE, true),
                                        new PrintWriter(quiet))
                                .run(List.of(o.text()), false);
                double seconds = text.nanos() / 1e9;
                double mbPerSecond = text.bytesIngested() / 1e6 / seconds;
                long chunks = text.chunks();
                int recordSize = (int) Math.max(1, text.bytesIngested() / Math.max(1, chunks));
                double perf = producerPerformance(broker.bootstrapServers(), chunks, recordSize);
                MidiIngest.Summary midi =
                        new MidiIngest(
                                        kafka,
                                        topics,
                                        new MidiIngest.Options("bench-" + r, true),
                                        new PrintWriter(quiet))
                                .run(List.of(o.midi()), false);
                double midiSeconds = midi.nanos() / 1e9;
                long pieces = midi.count(MidiIngest.Status.INGESTED);
                out.printf(
                        Locale.ROOT,
                        "%-6d %14.1f %16.1f %14.1f %14.1f %16.0f%n",
                        r,
                        mbPerSecond,
                        perf,
                        chunks / seconds,
                        pieces / midiSeconds,
                        midi.events() / midiSeconds);
                ratios.add(mbPerSecond / perf);
            }
            ratios.sort(Double::compare);
            out.printf(
                    Locale.ROOT,
                    "text ingest / kafka-producer-perf-test (median of rounds): %.2fx%n",
                    ratios.get(ratios.size() / 2));
        }
    }

    /**
     * Runs Kafka's producer benchmark in its own JVM, {@code records} warm-up records and then as
     * many measured; returns the measured (steady-state) MB/s.
     */
    private static double producerPerformance(String bootstrap, long records, int recordSize)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.apache.kafka.tools.ProducerPerformance");
        cmd.addAll(
                List.of(
                        "--topic",
                        "perf",
                        "--num-records",
                        Long.toString(2 * records),
                        // the first half warms its JVM up; the last summary is the second half's
                        "--warmup-records",
                        Long.toString(records),
                        "--record-size",
                        Integer.toString(recordSize),
                        "--throughput",
                        "-1",
                        "--producer-props",
                        "bootstrap.servers=" + bootstrap,
                        "acks=all",
                        "enable.idempotence=true"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("kafka-producer-perf-test failed:\n" + output);
        }
        Matcher m = SUMMARY.matcher(output);
        double mb = Double.NaN;
        while (m.find()) {
            mb = Double.parseDouble(m.group(2)); // the last line is the summary
        }
        return mb;
    }
}

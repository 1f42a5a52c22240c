package io.belamy.app;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.LiveMidi;
import io.belamy.ingest.MidiIngest;
import io.belamy.ingest.Progress;
import io.belamy.ingest.TextIngest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = "Send a corpus to Kafka.",
        subcommands = {IngestCommand.Text.class, IngestCommand.Midi.class})
final class IngestCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit code when some files could not be sent (the others were). */
    static final int PARTIAL = 4;

    @Command(
            name = "text",
            mixinStandardHelpOptions = true,
            description = {
                "Send text files to <prefix>corpus.text: files and directories (recursive), .gz"
                        + " decompressed, split into chunks of at most 64 KiB on paragraph boundaries.",
                "Each file is one Kafka transaction with its entry in <prefix>corpus.index; a file"
                        + " whose content the corpus already holds is skipped unless --force.",
                "Exit codes: 0 done, 1 failure, 2 invalid options, 4 some files skipped (invalid"
                        + " UTF-8 or unreadable)."
            })
    static final class Text implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories.")
        List<Path> paths;

        @Option(
                names = "--corpus",
                paramLabel = "NAME",
                description = "Corpus name (default: ${DEFAULT-VALUE}).")
        String corpus = "default";

        @Option(
                names = "--on-bad-bytes",
                paramLabel = "POLICY",
                description =
                        "Files that are not valid UTF-8: skip-file (report the file and byte offset, send"
                                + " nothing) or replace (send it with U+FFFD for each invalid sequence)."
                                + " Default: ${DEFAULT-VALUE}.")
        String onBadBytes = "skip-file";

        @Option(
                names = "--force",
                description = "Send files even if the corpus already holds their content.")
        boolean force;

        @Mixin KafkaOptions kafkaOptions;

        @Override
        public Integer call() throws Exception {
            TextIngest.Options options =
                    new TextIngest.Options(corpus, TextIngest.BadBytes.parse(onBadBytes), force);
            KafkaSettings kafka = kafkaOptions.kafka();
            Topics topics = kafkaOptions.topics();
            PrintWriter err = spec.commandLine().getErr();
            TextIngest.Summary s =
                    new TextIngest(kafka, topics, options, err).run(paths, Progress.isTerminal());
            double seconds = s.nanos() / 1e9;
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "ingested %d files (%s, %d chunks) into corpus %s on %s in %.1f s (%s/s); skipped: %d already"
                                    + " ingested, %d empty, %d invalid UTF-8, %d unreadable%n",
                            s.count(TextIngest.Status.INGESTED),
                            Progress.size(s.bytesIngested()),
                            s.chunks(),
                            corpus,
                            topics.corpusText().name(),
                            seconds,
                            Progress.size((long) (s.bytesIngested() / Math.max(seconds, 1e-3))),
                            s.count(TextIngest.Status.ALREADY_INGESTED),
                            s.count(TextIngest.Status.EMPTY),
                            s.count(TextIngest.Status.INVALID_UTF8),
                            s.count(TextIngest.Status.UNREADABLE));
            return s.partial() ? PARTIAL : 0;
        }
    }

    /** Exit code of --live when there is no MIDI input device. */
    static final int NO_DEVICE = 3;

    @Command(
            name = "midi",
            mixinStandardHelpOptions = true,
            description = {
                "Send MIDI files to <prefix>corpus.midi: one record per note, tempo change and time"
                        + " signature, then an end-of-piece marker.",
                "PATHs are .mid/.midi files (.gz decompressed), directories (recursive) and Doom WAD"
                        + " archives (their MIDI music lumps, e.g. Freedoom's). Each piece is one"
                        + " Kafka transaction with its entry in <prefix>corpus.index; a piece the"
                        + " corpus already holds is skipped unless --force. Corrupt, truncated or"
                        + " non-MIDI files are reported by name and reason and skipped.",
                "--live [DEVICE] streams a MIDI input device (a keyboard) until Ctrl-C.",
                "Exit codes: 0 done, 1 failure, 2 invalid options, 3 no MIDI input device, 4 some"
                        + " files skipped (not MIDI, corrupt or unreadable)."
            })
    static final class Midi implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Parameters(arity = "0..*", paramLabel = "PATH", description = "Files or directories.")
        List<Path> paths = List.of();

        @Option(
                names = "--corpus",
                paramLabel = "NAME",
                description = "Corpus name (default: ${DEFAULT-VALUE}).")
        String corpus = "default";

        @Option(
                names = "--force",
                description = "Send pieces even if the corpus already holds them.")
        boolean force;

        @Option(
                names = "--live",
                arity = "0..1",
                fallbackValue = "",
                paramLabel = "DEVICE",
                description =
                        "Record a MIDI input device (the first one, or the one whose name contains"
                                + " DEVICE) until Ctrl-C.")
        String live;

        @Mixin KafkaOptions kafkaOptions;

        @Override
        public Integer call() throws Exception {
            PrintWriter err = spec.commandLine().getErr();
            if (live != null) {
                return live(err);
            }
            if (paths.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give PATHs to ingest, or --live");
            }
            KafkaSettings kafka = kafkaOptions.kafka();
            Topics topics = kafkaOptions.topics();
            MidiIngest.Summary s =
                    new MidiIngest(kafka, topics, new MidiIngest.Options(corpus, force), err)
                            .run(paths, Progress.isTerminal());
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "ingested %d pieces (%d events, %d notes) into corpus %s on %s in %.1f s;"
                                    + " skipped: %d already ingested, %d without notes, %d not MIDI"
                                    + " or corrupt, %d unreadable%n",
                            s.count(MidiIngest.Status.INGESTED),
                            s.events(),
                            s.notes(),
                            corpus,
                            topics.corpusMidi().name(),
                            s.nanos() / 1e9,
                            s.count(MidiIngest.Status.ALREADY_INGESTED),
                            s.count(MidiIngest.Status.NO_NOTES),
                            s.count(MidiIngest.Status.NOT_MIDI),
                            s.count(MidiIngest.Status.UNREADABLE));
            return s.partial() ? PARTIAL : 0;
        }

        private int live(PrintWriter err) throws Exception {
            javax.sound.midi.MidiDevice.Info device;
            try {
                device = LiveMidi.find(live);
            } catch (LiveMidi.NoDeviceException e) {
                err.println("belamy: " + e.getMessage());
                return NO_DEVICE;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(stop::countDown, "belamy-live-midi-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            long events =
                    LiveMidi.record(
                            kafkaOptions.kafka(), kafkaOptions.topics(), corpus, device, stop, err);
            spec.commandLine().getOut().printf(Locale.ROOT, "sent %d events%n", events);
            return 0;
        }
    }
}

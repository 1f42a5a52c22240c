package io.belamy.app;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.Topics;
import io.belamy.ingest.Progress;
import io.belamy.ingest.TextIngest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
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
        subcommands = {IngestCommand.Text.class})
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
}

package io.belamy.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.belamy.app.cluster.LocalCluster;
import io.belamy.core.topic.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = {
            "A local cluster of separate processes on 127.0.0.1: a Kafka broker JVM, a Flink"
                    + " JobManager and TaskManagers, from belamy's jars (no Flink distribution"
                    + " needed); jobs are submitted over Flink's REST API.",
            "Its files (config, logs, broker data, checkpoints) are under WORK-DIR/cluster."
        },
        subcommands = {
            ClusterCommand.Up.class,
            ClusterCommand.Status.class,
            ClusterCommand.Down.class,
            ClusterCommand.Submit.class,
            ClusterCommand.Stop.class,
            ClusterCommand.JobJar.class
        })
final class ClusterCommand implements Runnable {

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every subcommand takes. */
    static class Where {
        @Option(
                names = "--work-dir",
                paramLabel = "DIR",
                description = "belamy's work directory (default: ${DEFAULT-VALUE}).")
        Path workDir = Path.of(".belamy");

        LocalCluster cluster() {
            return new LocalCluster(workDir.resolve("cluster"), LocalCluster.defaultLib());
        }

        LocalCluster.State running() throws Exception {
            return cluster()
                    .state()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no cluster runs in "
                                                    + workDir.resolve("cluster").toAbsolutePath()
                                                    + " (belamy cluster up)"));
        }
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description =
                    "Start the broker, the JobManager and the TaskManagers; wait until ready.")
    static final class Up extends Where implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = "--taskmanagers",
                paramLabel = "N",
                description = "TaskManager processes (default: ${DEFAULT-VALUE}).")
        int taskManagers = 1;

        @Option(
                names = "--slots",
                paramLabel = "N",
                description = "Task slots per TaskManager (default: ${DEFAULT-VALUE}).")
        int slots = 2;

        @Option(
                names = "--topic-prefix",
                paramLabel = "PREFIX",
                description = "Prefix of belamy's topics (default: ${DEFAULT-VALUE}).")
        String topicPrefix = Topics.DEFAULT_PREFIX;

        @Override
        public Integer call() throws Exception {
            if (taskManagers < 1 || slots < 1) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--taskmanagers and --slots must be at least 1");
            }
            PrintWriter out = spec.commandLine().getOut();
            long start = System.nanoTime();
            LocalCluster.State s = cluster().up(taskManagers, slots, new Topics(topicPrefix), out);
            out.printf(
                    "cluster up in %.1f s: bootstrap=%s flink=%s taskmanagers=%d%n",
                    (System.nanoTime() - start) / 1e9,
                    s.bootstrap(),
                    s.rest(),
                    s.taskManagerPids().size());
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "The cluster's processes, its Flink REST address and its jobs.")
    static final class Status extends Where implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Optional<LocalCluster.State> state = cluster().state();
            if (state.isEmpty()) {
                out.println("no cluster in " + workDir.resolve("cluster").toAbsolutePath());
                return 1;
            }
            LocalCluster.State s = state.get();
            out.printf(
                    "kafka        pid %-8d %s  %s%n",
                    s.brokerPid(), up(s.brokerPid()), s.bootstrap());
            out.printf(
                    "jobmanager   pid %-8d %s  %s%n",
                    s.jobManagerPid(), up(s.jobManagerPid()), s.rest());
            for (int i = 0; i < s.taskManagerPids().size(); i++) {
                long pid = s.taskManagerPids().get(i);
                out.printf("taskmanager  pid %-8d %s%n", pid, up(pid));
            }
            try {
                JsonNode o = LocalCluster.rest(s, "/overview");
                out.printf(
                        "flink: %d taskmanagers, %d/%d slots free%n",
                        o.path("taskmanagers").asInt(),
                        o.path("slots-available").asInt(),
                        o.path("slots-total").asInt());
                for (JsonNode j : LocalCluster.rest(s, "/jobs/overview").path("jobs")) {
                    out.printf(
                            "job %s  %-10s %s%n",
                            j.path("jid").asText(),
                            j.path("state").asText(),
                            j.path("name").asText());
                }
            } catch (java.io.IOException e) {
                out.println("flink REST API not answering: " + e.getMessage());
            }
            return 0;
        }

        private static String up(long pid) {
            return LocalCluster.alive(pid) ? "running" : "GONE   ";
        }
    }

    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description =
                    "Stop exactly the processes 'up' started (SIGTERM, then SIGKILL after 20 s).")
    static final class Down extends Where implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<Long> stopped = cluster().down();
            spec.commandLine()
                    .getOut()
                    .println(
                            stopped.isEmpty()
                                    ? "no cluster processes were running"
                                    : "stopped " + stopped.size() + " processes " + stopped);
            return 0;
        }
    }

    /** Jobs by the name users give, with their entry classes. */
    static final Map<String, String> JOBS =
            Map.of(
                    "generate", "io.belamy.generate.GenerateJob",
                    "train-text", "io.belamy.train.TrainTextJob",
                    "train-music", "io.belamy.train.TrainMusicJob");

    /** Job options that name files: made absolute, since the TaskManagers run elsewhere. */
    private static final Set<String> PATH_KEYS =
            Set.of("model.dir", "model.from", "model.store", "model.tokenizer", "kafka.properties");

    @Command(
            name = "submit",
            mixinStandardHelpOptions = true,
            description = {
                "Upload belamy's job jar to the cluster and run JOB (generate, train-text,"
                        + " train-music) with its options as --key value (docs/config.md);"
                        + " bootstrap.servers and topic.prefix default to the cluster's.",
                "Example: belamy cluster submit generate --model.dir models/gpt2-tiny"
            })
    static final class Submit extends Where implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "JOB",
                description = "generate, train-text or train-music.")
        String job;

        @Option(
                names = "--from-savepoint",
                paramLabel = "PATH",
                description =
                        "Start from this savepoint (printed by 'belamy cluster stop --savepoint').")
        String fromSavepoint;

        @CommandLine.Unmatched List<String> options = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            String entry = JOBS.get(job);
            if (entry == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "unknown job \"" + job + "\" (jobs: generate, train-text, train-music)");
            }
            LocalCluster cluster = cluster();
            LocalCluster.State s = running();
            List<String> args = new ArrayList<>();
            boolean bootstrap = false;
            boolean prefix = false;
            for (int i = 0; i < options.size(); i++) {
                String o = options.get(i);
                args.add(o);
                bootstrap |= o.startsWith("--bootstrap.servers");
                prefix |= o.startsWith("--topic.prefix");
                if (o.startsWith("--") && !o.contains("=") && i + 1 < options.size()) {
                    String value = options.get(++i);
                    if (PATH_KEYS.contains(o.substring(2)) && !value.contains("://")) {
                        value = Path.of(value).toAbsolutePath().normalize().toString();
                    }
                    args.add(value);
                }
            }
            if (!bootstrap) {
                args.addAll(List.of("--bootstrap.servers", s.bootstrap()));
            }
            if (!prefix) {
                args.addAll(List.of("--topic.prefix", s.topicPrefix()));
            }
            Path jar = cluster.jobJar();
            String id = LocalCluster.submit(s, jar, entry, args, fromSavepoint);
            spec.commandLine().getOut().printf("submitted %s: job %s (%s)%n", job, id, s.rest());
            if (!Files.isRegularFile(jar)) {
                return 1;
            }
            return 0;
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description =
                    "Stop a job: with --savepoint, Flink's stop-with-savepoint (prints the savepoint"
                            + " to resume from with 'submit --from-savepoint'); without, cancel it.")
    static final class Stop extends Where implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "JOB_ID",
                description = "The job's id (cluster status).")
        String jobId;

        @Option(names = "--savepoint", description = "Take a savepoint as the job stops.")
        boolean savepoint;

        @Override
        public Integer call() throws Exception {
            LocalCluster.State s = running();
            PrintWriter out = spec.commandLine().getOut();
            if (savepoint) {
                String location = cluster().stopWithSavepoint(s, jobId);
                out.println("stopped " + jobId + " with savepoint " + location);
                out.println(
                        "resume: belamy cluster submit JOB --from-savepoint "
                                + location
                                + " [options]");
            } else {
                LocalCluster.cancel(s, jobId);
                out.println("cancelled " + jobId);
            }
            return 0;
        }
    }

    @Command(
            name = "job-jar",
            mixinStandardHelpOptions = true,
            description =
                    "Write the job jar (belamy's classes only) that 'submit' uploads, for another"
                            + " Flink cluster or an image (docker/stage.sh).")
    static final class JobJar implements Callable<Integer> {
        @Spec CommandLine.Model.CommandSpec spec;

        @Option(
                names = {"-o", "--output"},
                required = true,
                paramLabel = "FILE",
                description = "Where to write it.")
        Path output;

        @Override
        public Integer call() throws Exception {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            LocalCluster.writeJobJar(LocalCluster.defaultLib(), output);
            spec.commandLine().getOut().printf("wrote %s (%d bytes)%n", output, Files.size(output));
            return 0;
        }
    }
}

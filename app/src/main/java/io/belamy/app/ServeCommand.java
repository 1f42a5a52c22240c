package io.belamy.app;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.music.gan.MuseGan;
import io.belamy.core.topic.Topics;
import io.belamy.generate.GenerateJob;
import io.belamy.generate.ServedModel;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.JobArgs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Run the generation job: prompts from <prefix>prompts, streamed replies to"
                    + " <prefix>generated.text.",
            "Without --bootstrap it starts the embedded runtime (a Kafka broker and a Flink"
                    + " MiniCluster in this process, data in --work-dir).",
            "Prints 'ready: bootstrap=HOST:PORT prompts=TOPIC' once prompts can be sent; stops"
                    + " cleanly on Ctrl-C or SIGTERM."
        })
final class ServeCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|NAME",
            description =
                    "Model directory to serve (a Hugging Face GPT-2 or BERT, or a belamy music GAN),"
                            + " or the name of a model in the store (its newest version). Newer"
                            + " versions of a GPT's name on the models topic are swapped in as they"
                            + " appear.")
    String model;

    @Mixin StoreOptions storeOptions;

    @Option(
            names = "--model-name",
            paramLabel = "NAME",
            description =
                    "Name prompts use for the model (default: belamy.json's name, else the directory name).")
    String modelName;

    @Mixin KafkaOptions kafkaOptions;

    @Option(
            names = "--kafka-port",
            paramLabel = "PORT",
            description = "Port of the embedded broker on 127.0.0.1 (default: a free port).")
    int kafkaPort;

    @Option(
            names = "--parallelism",
            paramLabel = "N",
            description = "Parallel copies of the model (default: ${DEFAULT-VALUE}).")
    int parallelism = 1;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            description =
                    "Most text requests decoded together, continuous batching (default:"
                            + " ${DEFAULT-VALUE}).")
    int batchSize = 16;

    @Option(
            names = "--queue-size",
            paramLabel = "N",
            description =
                    "Most requests waiting for the batch before the prompts source is"
                            + " back-pressured (default: ${DEFAULT-VALUE}).")
    int queueSize = 64;

    @Option(
            names = "--delivery",
            paramLabel = "MODE",
            description =
                    "at-least-once (chunks leave as generated) or exactly-once (replies committed"
                            + " with checkpoints; read them read_committed, e.g. belamy prompt"
                            + " --read-committed) (default: ${DEFAULT-VALUE}).")
    String delivery = GenerateJob.AT_LEAST_ONCE;

    @Option(
            names = "--engine-threads",
            paramLabel = "N",
            description =
                    "PyTorch intra-op threads (default: PyTorch's, one per core). On a small"
                            + " machine, fewer threads than cores leave room for Kafka and Flink and"
                            + " lower time to first token (docs/BENCHMARKS.md).")
    int engineThreads;

    @Option(
            names = "--prometheus-port",
            paramLabel = "PORT",
            description =
                    "Serve Flink's metrics (belamy's serving metrics included) for Prometheus at"
                            + " http://127.0.0.1:PORT/metrics (default: none).")
    int prometheusPort;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            description = "Checkpoint interval, e.g. 5s (default: ${DEFAULT-VALUE}).")
    String checkpointInterval = "5s";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (engineThreads > 0) {
            // read when the engine starts, below: the embedded job runs in this JVM
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(engineThreads));
        }
        Path modelDir = storeOptions.resolve(model, kafkaOptions.workDir);
        ServedModel served = ServedModel.of(modelDir, modelName);
        if (served.kind().equals(MuseGan.KIND)) {
            try (MuseGan check = MuseGan.load(modelDir)) {
                err.printf(
                        "serving music model %s (version %d): tracks %s, %d-bar phrases%n",
                        served.name(),
                        served.version(),
                        String.join(", ", check.config().roll().tracks()),
                        check.config().roll().bars());
            }
        } else if (served.kind().equals(io.belamy.core.bert.BertModel.KIND)) {
            try (var check = io.belamy.core.bert.BertModel.load(modelDir)) {
                err.printf(
                        "serving fill-mask model %s (version %d): %d layers, %d positions,"
                                + " vocabulary %d%n",
                        served.name(),
                        served.version(),
                        check.config().layers(),
                        check.config().maxPositions(),
                        check.config().vocabSize());
            }
        } else {
            try (GptModel check = GptModel.load(modelDir)) {
                err.printf(
                        "serving %s (version %d): %d layers, context %d, vocabulary %d%n",
                        served.name(),
                        served.version(),
                        check.config().layers(),
                        check.config().contextLength(),
                        check.config().vocabSize());
            }
        }
        EmbeddedRuntime runtime =
                kafkaOptions.startRuntime(
                        "serve", kafkaPort, Math.max(4, parallelism), prometheusPort, err);
        Topics topics = runtime.topics();
        Thread hook = new Thread(runtime::close, "belamy-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        Map<String, String> args = new LinkedHashMap<>();
        args.put(CommonKeys.BOOTSTRAP_SERVERS.name(), runtime.kafka().bootstrapServers());
        args.put(CommonKeys.TOPIC_PREFIX.name(), topics.prefix());
        if (kafkaOptions.kafkaConfig != null) {
            args.put(CommonKeys.KAFKA_PROPERTIES.name(), kafkaOptions.kafkaConfig.toString());
        }
        args.put(CommonKeys.PARALLELISM.name(), Integer.toString(parallelism));
        args.put(CommonKeys.CHECKPOINT_INTERVAL.name(), checkpointInterval);
        args.put(GenerateJob.MODEL_DIR.name(), modelDir.toAbsolutePath().toString());
        args.put(GenerateJob.MODEL_NAME.name(), served.name());
        args.put(GenerateJob.BATCH_SIZE.name(), Integer.toString(batchSize));
        args.put(GenerateJob.QUEUE_SIZE.name(), Integer.toString(queueSize));
        args.put(GenerateJob.DELIVERY.name(), delivery);
        JobArgs jobArgs = JobArgs.of(args, GenerateJob.KEYS);
        JobClient job =
                runtime.submit(
                        "belamy generate",
                        env -> GenerateJob.configure(env, jobArgs),
                        Duration.ofMinutes(3));
        runtime.publish();
        err.println("Flink Web UI: " + runtime.flink().restAddress());
        out.println(
                "ready: bootstrap="
                        + runtime.kafka().bootstrapServers()
                        + " prompts="
                        + topics.prompts().name());
        out.flush();

        // Run until stopped (the shutdown hook cleans up) or until the job fails.
        while (true) {
            JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                err.println("belamy serve: the generation job ended as " + status);
                return Errors.FAILURE;
            }
            Thread.sleep(1000);
        }
    }
}

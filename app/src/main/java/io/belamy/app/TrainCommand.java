package io.belamy.app;

import io.belamy.app.runtime.EmbeddedRuntime;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.ConfigKey;
import io.belamy.streaming.JobArgs;
import io.belamy.train.TrainMusicJob;
import io.belamy.train.TrainTextJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Run a continual training job.",
        subcommands = {TrainCommand.Text.class, TrainCommand.Music.class})
final class TrainCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "text",
            mixinStandardHelpOptions = true,
            description = {
                "Train a GPT (causal LM) or BERT (masked LM) on <prefix>corpus.text, continually:"
                        + " every --steps-per-version steps a version goes to the model store and to"
                        + " <prefix>models.",
                "Without --bootstrap it uses the Kafka of a belamy runtime running in --work-dir, or"
                        + " starts one. Runs until Ctrl-C; a checkpoint lets a restarted job continue."
            })
    static final class Text implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Option(
                names = "--model",
                required = true,
                paramLabel = "NAME",
                description = "Model name in the store and on the models topic.")
        String name;

        @Option(
                names = "--kind",
                paramLabel = "KIND",
                description = "gpt or bert (default: ${DEFAULT-VALUE}).")
        String kind = "gpt";

        static final class Start {
            @Option(
                    names = "--preset",
                    paramLabel = "PRESET",
                    description = "Train from scratch: tiny or small.")
            String preset;

            @Option(
                    names = "--from",
                    paramLabel = "DIR",
                    description = "Fine-tune this Hugging Face directory.")
            Path from;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Start start;

        @Option(
                names = "--tokenizer",
                paramLabel = "FILE",
                description = "tokenizer.json for a preset (default: byte-level).")
        Path tokenizer;

        @Option(
                names = "--steps-per-version",
                paramLabel = "N",
                description = "Publish a version every N steps (default: ${DEFAULT-VALUE}).")
        int stepsPerVersion = 200;

        @Option(
                names = "--version-interval",
                paramLabel = "DURATION",
                description = "... or after this long (default: ${DEFAULT-VALUE}).")
        String versionInterval = "10min";

        @Option(
                names = "--batch-size",
                paramLabel = "B",
                description = "Sequences per step (default: ${DEFAULT-VALUE}).")
        int batchSize = 16;

        @Option(
                names = "--sequence-length",
                paramLabel = "T",
                description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
        int sequenceLength = 128;

        @Option(
                names = "--lr",
                paramLabel = "RATE",
                description = "Peak learning rate (default: 1e-3 for presets, 1e-4 for --from).")
        Double learningRate;

        @Option(
                names = "--warmup-steps",
                paramLabel = "N",
                description = "Warm-up steps (default: 100 for presets, 20 for --from).")
        Integer warmupSteps;

        @Option(
                names = "--decay-steps",
                paramLabel = "N",
                description = "Step where the decay ends (default: ${DEFAULT-VALUE}).")
        int decaySteps = 5000;

        @Option(
                names = "--schedule",
                paramLabel = "SHAPE",
                description = "cosine, linear or constant (default: ${DEFAULT-VALUE}).")
        String schedule = "cosine";

        @Option(
                names = "--weight-decay",
                paramLabel = "W",
                description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
        double weightDecay = 0.1;

        @Option(
                names = "--grad-clip",
                paramLabel = "NORM",
                description = "Global gradient-norm clip; 0 = off (default: ${DEFAULT-VALUE}).")
        double gradClip = 1.0;

        @Option(
                names = "--heldout",
                paramLabel = "FRACTION",
                description =
                        "Share of chunks held out for evaluation (default: ${DEFAULT-VALUE}).")
        double heldOut = 0.05;

        @Option(
                names = "--eval-interval",
                paramLabel = "N",
                description = "Held-out loss every N steps (default: ${DEFAULT-VALUE}).")
        int evalInterval = 50;

        @Option(
                names = "--checkpoint-interval",
                paramLabel = "DURATION",
                description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
        String checkpointInterval = "30s";

        @Option(
                names = "--seed",
                paramLabel = "SEED",
                description = "Seed of fresh weights and masking (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Mixin StoreOptions storeOptions;

        @Mixin KafkaOptions kafkaOptions;

        /** The job options these command-line options give. */
        Map<String, String> jobOptions(String bootstrap, String prefix) {
            Map<String, String> a =
                    commonJobOptions(kafkaOptions, bootstrap, prefix, checkpointInterval);
            a.put(TrainTextJob.MODEL_NAME.name(), name);
            a.put(TrainTextJob.MODEL_KIND.name(), kind);
            if (start.preset != null) {
                a.put(TrainTextJob.MODEL_PRESET.name(), start.preset);
            } else {
                a.put(TrainTextJob.MODEL_FROM.name(), start.from.toAbsolutePath().toString());
            }
            if (tokenizer != null) {
                a.put(TrainTextJob.MODEL_TOKENIZER.name(), tokenizer.toAbsolutePath().toString());
            }
            a.put(
                    TrainTextJob.MODEL_STORE.name(),
                    storeOptions.store(kafkaOptions.workDir).location());
            a.put(TrainTextJob.BATCH_SIZE.name(), Integer.toString(batchSize));
            a.put(TrainTextJob.SEQUENCE_LENGTH.name(), Integer.toString(sequenceLength));
            if (learningRate != null) {
                a.put(TrainTextJob.LEARNING_RATE.name(), Double.toString(learningRate));
            }
            if (warmupSteps != null) {
                a.put(TrainTextJob.WARMUP_STEPS.name(), Integer.toString(warmupSteps));
            }
            a.put(TrainTextJob.DECAY_STEPS.name(), Integer.toString(decaySteps));
            a.put(TrainTextJob.SCHEDULE.name(), schedule);
            a.put(TrainTextJob.WEIGHT_DECAY.name(), Double.toString(weightDecay));
            a.put(TrainTextJob.GRAD_CLIP.name(), Double.toString(gradClip));
            a.put(TrainTextJob.HELD_OUT.name(), Double.toString(heldOut));
            a.put(TrainTextJob.EVAL_INTERVAL.name(), Integer.toString(evalInterval));
            a.put(TrainTextJob.STEPS_PER_VERSION.name(), Integer.toString(stepsPerVersion));
            a.put(TrainTextJob.VERSION_INTERVAL.name(), versionInterval);
            a.put(TrainTextJob.SEED.name(), Long.toString(seed));
            return a;
        }

        @Override
        public Integer call() throws Exception {
            TrainTextJob.settings( // every option checked before anything starts
                    JobArgs.of(
                            jobOptions("127.0.0.1:1", kafkaOptions.topics().prefix()),
                            TrainTextJob.KEYS));
            return runJob(
                    spec,
                    kafkaOptions,
                    storeOptions,
                    "train-text",
                    name,
                    topics -> topics.corpusText().name(),
                    this::jobOptions,
                    TrainTextJob.KEYS,
                    TrainTextJob::configure);
        }
    }

    @Command(
            name = "music",
            mixinStandardHelpOptions = true,
            description = {
                "Train the MuseGAN-style music GAN on <prefix>corpus.midi, continually: pieces are cut"
                        + " into 4-bar piano-roll phrases, each phrase earns --steps-per-phrase"
                        + " training steps, and every --steps-per-version steps a version goes to the"
                        + " model store and to <prefix>models.",
                "Without --bootstrap it uses the Kafka of a belamy runtime running in --work-dir, or"
                        + " starts one. Runs until Ctrl-C; a checkpoint lets a restarted job continue."
            })
    static final class Music implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Option(
                names = "--model",
                required = true,
                paramLabel = "NAME",
                description = "Model name in the store and on the models topic.")
        String name;

        static final class Start {
            @Option(
                    names = "--preset",
                    paramLabel = "PRESET",
                    description = "Train from scratch: default or small.")
            String preset;

            @Option(
                    names = "--from",
                    paramLabel = "DIR",
                    description = "Continue training this music GAN directory.")
            Path from;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Start start;

        @Option(
                names = "--batch-size",
                paramLabel = "B",
                description = "Rolls per update (default: ${DEFAULT-VALUE}).")
        int batchSize = 16;

        @Option(
                names = "--critic-steps",
                paramLabel = "N",
                description = "Critic updates per generator update (default: ${DEFAULT-VALUE}).")
        int criticSteps = 5;

        @Option(
                names = "--lr",
                paramLabel = "RATE",
                description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
        double learningRate = 1e-3;

        @Option(
                names = "--steps-per-phrase",
                paramLabel = "X",
                description =
                        "Training steps each arriving phrase earns (default: ${DEFAULT-VALUE}).")
        double stepsPerPhrase = 1.0;

        @Option(
                names = "--steps-per-version",
                paramLabel = "N",
                description = "Publish a version every N steps (default: ${DEFAULT-VALUE}).")
        int stepsPerVersion = 100;

        @Option(
                names = "--version-interval",
                paramLabel = "DURATION",
                description = "... or after this long (default: ${DEFAULT-VALUE}).")
        String versionInterval = "10min";

        @Option(
                names = "--checkpoint-interval",
                paramLabel = "DURATION",
                description = "Checkpoint interval (default: ${DEFAULT-VALUE}).")
        String checkpointInterval = "30s";

        @Option(
                names = "--seed",
                paramLabel = "SEED",
                description =
                        "Seed of fresh weights, latents and batches (default: ${DEFAULT-VALUE}).")
        long seed = 1;

        @Mixin StoreOptions storeOptions;

        @Mixin KafkaOptions kafkaOptions;

        /** The job options these command-line options give. */
        Map<String, String> jobOptions(String bootstrap, String prefix) {
            Map<String, String> a =
                    commonJobOptions(kafkaOptions, bootstrap, prefix, checkpointInterval);
            a.put(TrainMusicJob.MODEL_NAME.name(), name);
            if (start.preset != null) {
                a.put(TrainMusicJob.MODEL_PRESET.name(), start.preset);
            } else {
                a.put(TrainMusicJob.MODEL_FROM.name(), start.from.toAbsolutePath().toString());
            }
            a.put(
                    TrainMusicJob.MODEL_STORE.name(),
                    storeOptions.store(kafkaOptions.workDir).location());
            a.put(TrainMusicJob.BATCH_SIZE.name(), Integer.toString(batchSize));
            a.put(TrainMusicJob.CRITIC_STEPS.name(), Integer.toString(criticSteps));
            a.put(TrainMusicJob.LEARNING_RATE.name(), Double.toString(learningRate));
            a.put(TrainMusicJob.STEPS_PER_PHRASE.name(), Double.toString(stepsPerPhrase));
            a.put(TrainMusicJob.STEPS_PER_VERSION.name(), Integer.toString(stepsPerVersion));
            a.put(TrainMusicJob.VERSION_INTERVAL.name(), versionInterval);
            a.put(TrainMusicJob.SEED.name(), Long.toString(seed));
            return a;
        }

        @Override
        public Integer call() throws Exception {
            TrainMusicJob.settings( // every option checked before anything starts
                    JobArgs.of(
                            jobOptions("127.0.0.1:1", kafkaOptions.topics().prefix()),
                            TrainMusicJob.KEYS));
            return runJob(
                    spec,
                    kafkaOptions,
                    storeOptions,
                    "train-music",
                    name,
                    topics -> topics.corpusMidi().name(),
                    this::jobOptions,
                    TrainMusicJob.KEYS,
                    TrainMusicJob::configure);
        }
    }

    /** The job options every training command sets: Kafka, topic prefix, checkpoints. */
    static Map<String, String> commonJobOptions(
            KafkaOptions kafkaOptions, String bootstrap, String prefix, String checkpointInterval) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(CommonKeys.BOOTSTRAP_SERVERS.name(), bootstrap);
        a.put(CommonKeys.TOPIC_PREFIX.name(), prefix);
        if (kafkaOptions.kafkaConfig != null) {
            a.put(CommonKeys.KAFKA_PROPERTIES.name(), kafkaOptions.kafkaConfig.toString());
        }
        a.put(CommonKeys.CHECKPOINT_INTERVAL.name(), checkpointInterval);
        return a;
    }

    /** A training job's entry point: {@code TrainTextJob::configure}, say. */
    @FunctionalInterface
    interface JobConfigurer {
        void configure(StreamExecutionEnvironment env, JobArgs args) throws Exception;
    }

    /**
     * Runs a training job on the embedded runtime (joined when one runs in the work directory, else
     * started) until the job ends or Ctrl-C.
     *
     * @param options the job options for a bootstrap address and topic prefix
     * @return the exit code
     */
    static int runJob(
            CommandSpec spec,
            KafkaOptions kafkaOptions,
            StoreOptions storeOptions,
            String jobKind,
            String name,
            Function<Topics, String> corpusTopic,
            BiFunction<String, String, Map<String, String>> options,
            List<ConfigKey<?>> keys,
            JobConfigurer job)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedRuntime runtime = kafkaOptions.startRuntime("train-" + name, 0, 4, err);
        Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "belamy-shutdown"));
        JobArgs args =
                JobArgs.of(
                        options.apply(
                                runtime.kafka().bootstrapServers(), runtime.topics().prefix()),
                        keys);
        JobClient client =
                runtime.submit(
                        "belamy " + jobKind + " " + name,
                        env -> job.configure(env, args),
                        Duration.ofMinutes(3));
        runtime.publish();
        err.println("Flink Web UI: " + runtime.flink().restAddress());
        out.println(
                "training: model="
                        + name
                        + " corpus="
                        + corpusTopic.apply(runtime.topics())
                        + " versions="
                        + storeOptions.store(kafkaOptions.workDir).location()
                        + "/"
                        + name
                        + " bootstrap="
                        + runtime.kafka().bootstrapServers());
        out.flush();
        while (true) {
            JobStatus status = client.getJobStatus().get(30, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                err.println("belamy train: the training job ended as " + status);
                return Errors.FAILURE;
            }
            Thread.sleep(1000);
        }
    }
}

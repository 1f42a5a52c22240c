package io.belamy.train;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.topic.Topics;
import io.belamy.core.train.Schedule;
import io.belamy.core.train.TrainingConfig;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.ConfigKey;
import io.belamy.streaming.JobArgs;
import io.belamy.streaming.KafkaIo;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The train-text job: continual training of a GPT or BERT on {@code <prefix>corpus.text}.
 *
 * <pre>
 * KafkaSource(corpus.text, read_committed) -&gt; ValidateChunk -&gt; TokenizeAndPack -&gt; TrainLanguageModel
 *                       \-- dead letters --------------------------------------/   -&gt; KafkaSink(models, dlq)
 * </pre>
 *
 * <p>Exactly-once: offsets, packer and training state are checkpointed together, and versions are
 * announced through a transactional sink, so a restore neither retrains nor skips text.
 */
public final class TrainTextJob {

    public static final String NAME = "train-text";

    public static final String UID_SOURCE = "train-text-source";
    public static final String UID_VALIDATE = "train-text-validate";
    public static final String UID_PACK = "train-text-tokenize-and-pack";
    public static final String UID_TRAIN = "train-text-train";
    public static final String UID_SINK = "train-text-sink";

    public static final ConfigKey<String> MODEL_NAME = TrainKeys.MODEL_NAME;
    public static final ConfigKey<String> MODEL_KIND =
            ConfigKey.choice(
                    "model.kind",
                    "gpt (causal LM) or bert (masked LM).",
                    "gpt",
                    List.of("gpt", "bert"));
    public static final ConfigKey<String> MODEL_PRESET =
            new ConfigKey<>(
                    "model.preset",
                    "Preset to train from scratch (tiny, small); or use model.from.",
                    "",
                    "tiny, small",
                    s -> s);
    public static final ConfigKey<String> MODEL_FROM =
            new ConfigKey<>(
                    "model.from",
                    "Hugging Face directory to fine-tune (instead of a preset).",
                    "",
                    "a directory",
                    s -> s);
    public static final ConfigKey<String> MODEL_TOKENIZER =
            new ConfigKey<>(
                    "model.tokenizer",
                    "tokenizer.json for a preset (default: byte-level vocabulary).",
                    "",
                    "a file",
                    s -> s);
    public static final ConfigKey<String> MODEL_STORE = TrainKeys.MODEL_STORE;
    public static final ConfigKey<Integer> BATCH_SIZE =
            ConfigKey.integer("batch.size", "Sequences per training step.", 16, 1, 4096);
    public static final ConfigKey<Integer> SEQUENCE_LENGTH =
            ConfigKey.integer(
                    "sequence.length",
                    "Tokens per training sequence (at most the model's positions).",
                    128,
                    3,
                    1 << 20);
    public static final ConfigKey<Double> LEARNING_RATE =
            ConfigKey.decimal(
                    "learning.rate",
                    "Peak learning rate; 0 = 1e-3 for presets, 1e-4 for fine-tuning.",
                    0.0,
                    0,
                    10);
    public static final ConfigKey<Double> LEARNING_RATE_MIN =
            ConfigKey.decimal(
                    "learning.rate.min",
                    "Learning rate after decay, as a fraction of the peak.",
                    0.1,
                    0,
                    1);
    public static final ConfigKey<Integer> WARMUP_STEPS =
            ConfigKey.integer(
                    "warmup.steps",
                    "Linear warm-up steps; -1 = 100 for presets, 20 for fine-tuning.",
                    -1,
                    -1,
                    1 << 30);
    public static final ConfigKey<Integer> DECAY_STEPS =
            ConfigKey.integer(
                    "decay.steps",
                    "Step at which the decay reaches its minimum.",
                    5000,
                    1,
                    1 << 30);
    public static final ConfigKey<String> SCHEDULE =
            ConfigKey.choice(
                    "schedule",
                    "Decay after warm-up.",
                    "cosine",
                    List.of("cosine", "linear", "constant"));
    public static final ConfigKey<Double> WEIGHT_DECAY =
            ConfigKey.decimal("weight.decay", "AdamW weight decay (matrices only).", 0.1, 0, 10);
    public static final ConfigKey<Double> GRAD_CLIP =
            ConfigKey.decimal(
                    "grad.clip", "Clip the global gradient norm to this; 0 = off.", 1.0, 0, 1e6);
    public static final ConfigKey<Double> MASK_PROBABILITY =
            ConfigKey.decimal(
                    "mask.probability", "BERT: share of tokens masked.", 0.15, 0.01, 0.99);
    public static final ConfigKey<Long> SEED =
            ConfigKey.longKey(
                    "seed",
                    "Seed of fresh weights and of masking.",
                    1L,
                    Long.MIN_VALUE,
                    Long.MAX_VALUE);
    public static final ConfigKey<Integer> STEPS_PER_VERSION =
            ConfigKey.integer(
                    "steps.per.version",
                    "Publish a model version every this many steps.",
                    200,
                    1,
                    1 << 30);
    public static final ConfigKey<Duration> VERSION_INTERVAL = TrainKeys.VERSION_INTERVAL;
    public static final ConfigKey<Integer> EVAL_INTERVAL =
            ConfigKey.integer(
                    "eval.interval",
                    "Compute the held-out loss every this many steps.",
                    50,
                    1,
                    1 << 30);
    public static final ConfigKey<Double> HELD_OUT =
            ConfigKey.decimal(
                    "heldout.fraction",
                    "Share of corpus chunks (by hash) held out for evaluation.",
                    0.05,
                    0,
                    0.5);
    public static final ConfigKey<Integer> HELD_OUT_SEQUENCES =
            ConfigKey.integer(
                    "heldout.sequences",
                    "Most held-out sequences kept for evaluation.",
                    64,
                    0,
                    1 << 20);
    public static final ConfigKey<Long> INLINE_STATE = TrainKeys.INLINE_STATE;
    public static final ConfigKey<Boolean> UNALIGNED_CHECKPOINTS =
            new ConfigKey<>(
                    "checkpoint.unaligned",
                    "Unaligned checkpoints: complete quickly although the trainer lags behind the corpus.",
                    true,
                    "true, false",
                    s -> {
                        if (!s.equals("true") && !s.equals("false")) {
                            throw new IllegalArgumentException("not a boolean");
                        }
                        return Boolean.parseBoolean(s);
                    });

    public static final ConfigKey<String> GROUP_ID = TrainKeys.GROUP_ID;

    public static final List<ConfigKey<?>> KEYS =
            List.of(
                    CommonKeys.BOOTSTRAP_SERVERS,
                    CommonKeys.TOPIC_PREFIX,
                    CommonKeys.KAFKA_PROPERTIES,
                    CommonKeys.CHECKPOINT_INTERVAL,
                    MODEL_NAME,
                    MODEL_KIND,
                    MODEL_PRESET,
                    MODEL_FROM,
                    MODEL_TOKENIZER,
                    MODEL_STORE,
                    BATCH_SIZE,
                    SEQUENCE_LENGTH,
                    LEARNING_RATE,
                    LEARNING_RATE_MIN,
                    WARMUP_STEPS,
                    DECAY_STEPS,
                    SCHEDULE,
                    WEIGHT_DECAY,
                    GRAD_CLIP,
                    MASK_PROBABILITY,
                    SEED,
                    STEPS_PER_VERSION,
                    VERSION_INTERVAL,
                    EVAL_INTERVAL,
                    HELD_OUT,
                    HELD_OUT_SEQUENCES,
                    INLINE_STATE,
                    UNALIGNED_CHECKPOINTS,
                    GROUP_ID);

    private TrainTextJob() {}

    public static final String UID_EVAL_SOURCE = "train-text-eval-source";
    public static final String UID_EVAL_DECODE = "train-text-eval-decode";
    public static final String UID_EVAL_PACK = "train-text-eval-pack";

    /**
     * The data flow. The corpus is read twice: once for training, and once, independently, for the
     * held-out share, so evaluation data arrives as soon as it is ingested rather than behind the
     * training backlog.
     */
    public static void build(
            StreamExecutionEnvironment env,
            Source<RawRecord, ?, ?> corpus,
            Source<RawRecord, ?, ?> heldOutCorpus,
            Sink<OutRecord> sink,
            Topics topics,
            TrainSettings settings,
            double heldOutFraction) {
        // 1. Corpus chunks as raw records.
        DataStream<RawRecord> raw =
                env.fromSource(corpus, WatermarkStrategy.noWatermarks(), "corpus")
                        .uid(UID_SOURCE)
                        .setParallelism(1);
        // 2. Decode; bad records to the dead-letter topic.
        SingleOutputStreamOperator<CorpusChunk> chunks =
                raw.process(new ValidateChunk(topics, NAME))
                        .uid(UID_VALIDATE)
                        .name("validate chunks")
                        .setParallelism(1);
        // 3. Tokenize and pack into training sequences (one packer: one model).
        DataStream<TrainingInput> sequences =
                chunks.process(
                                new TokenizeAndPack(
                                        settings.source(),
                                        settings.training().sequenceLength(),
                                        heldOutFraction))
                        .uid(UID_PACK)
                        .name("tokenize and pack")
                        .setParallelism(1)
                        .setMaxParallelism(1);
        // 4. The held-out share, read on its own (bad records are reported by step 2 only).
        DataStream<TrainingInput> heldOut =
                env.fromSource(heldOutCorpus, WatermarkStrategy.noWatermarks(), "held-out corpus")
                        .uid(UID_EVAL_SOURCE)
                        .setParallelism(1)
                        .process(new ValidateChunk(topics, NAME))
                        .uid(UID_EVAL_DECODE)
                        .name("decode held-out chunks")
                        .setParallelism(1)
                        .process(
                                new PackHeldOut(
                                        settings.source(),
                                        settings.training().sequenceLength(),
                                        heldOutFraction))
                        .uid(UID_EVAL_PACK)
                        .name("pack held-out")
                        .setParallelism(1);
        // 5. Train on the sequences, evaluate on the held-out ones; publish versions.
        ModelKey key = new ModelKey(settings.name());
        DataStream<OutRecord> versions =
                sequences
                        .keyBy(key)
                        .connect(heldOut.keyBy(key))
                        .process(new TrainLanguageModel(topics, settings))
                        .uid(UID_TRAIN)
                        .name("train " + settings.name())
                        .setParallelism(1)
                        .setMaxParallelism(1);
        // 6. Versions and dead letters to Kafka, exactly once.
        versions.union(chunks.getSideOutput(ValidateChunk.REJECTED))
                .sinkTo(sink)
                .uid(UID_SINK)
                .name("versions")
                .setParallelism(1);
    }

    /** Every input belongs to the one model being trained. */
    static final class ModelKey
            implements org.apache.flink.api.java.functions.KeySelector<TrainingInput, String> {
        private static final long serialVersionUID = 1L;
        private final String name;

        ModelKey(String name) {
            this.name = name;
        }

        @Override
        public String getKey(TrainingInput input) {
            return name;
        }
    }

    /** The training settings these options give. */
    public static TrainSettings settings(JobArgs args) {
        String preset = args.get(MODEL_PRESET);
        String from = args.get(MODEL_FROM);
        String tokenizer = args.get(MODEL_TOKENIZER);
        ModelSource source =
                new ModelSource(
                        args.get(MODEL_KIND),
                        preset.isEmpty() ? null : preset,
                        from.isEmpty() ? null : Path.of(from).toAbsolutePath().toString(),
                        tokenizer.isEmpty()
                                ? null
                                : Path.of(tokenizer).toAbsolutePath().toString());
        TrainingConfig base =
                source.fineTuning() ? TrainingConfig.fineTuning() : TrainingConfig.defaults();
        double lr = args.get(LEARNING_RATE) > 0 ? args.get(LEARNING_RATE) : base.schedule().peak();
        int warmup =
                args.get(WARMUP_STEPS) >= 0
                        ? args.get(WARMUP_STEPS)
                        : base.schedule().warmupSteps();
        int decay = Math.max(warmup, args.get(DECAY_STEPS));
        Schedule schedule =
                new Schedule(
                        Schedule.Shape.parse(args.get(SCHEDULE)),
                        lr,
                        lr * args.get(LEARNING_RATE_MIN),
                        warmup,
                        decay);
        TrainingConfig training =
                new TrainingConfig(
                        args.get(BATCH_SIZE),
                        args.get(SEQUENCE_LENGTH),
                        schedule,
                        base.beta1(),
                        base.beta2(),
                        base.epsilon(),
                        args.get(WEIGHT_DECAY),
                        args.get(GRAD_CLIP),
                        args.get(MASK_PROBABILITY),
                        args.get(SEED));
        return new TrainSettings(
                args.get(MODEL_NAME),
                source,
                ModelStore.at(args.get(MODEL_STORE)).location(),
                training,
                args.get(STEPS_PER_VERSION),
                args.get(VERSION_INTERVAL),
                args.get(EVAL_INTERVAL),
                args.get(HELD_OUT_SEQUENCES),
                args.get(INLINE_STATE));
    }

    /** Checkpointing, source and sink from the options; then {@link #build}. */
    public static void configure(StreamExecutionEnvironment env, JobArgs args)
            throws java.io.IOException {
        KafkaSettings kafka = CommonKeys.kafka(args);
        Topics topics = new Topics(args.get(CommonKeys.TOPIC_PREFIX));
        TrainSettings settings = settings(args);
        env.enableCheckpointing(args.get(CommonKeys.CHECKPOINT_INTERVAL).toMillis());
        // Training is slow next to reading, so the channel to the trainer is full: aligned
        // barriers would wait behind the whole backlog, and versions (committed on checkpoints)
        // with them. Unaligned checkpoints store the in-flight sequences instead.
        env.getCheckpointConfig().enableUnalignedCheckpoints(args.get(UNALIGNED_CHECKPOINTS));
        env.getConfig().enableObjectReuse();
        // The training state is a few large byte arrays; Flink reads uncompressed operator state
        // back one byte per system call (a 10 MB model took 16 s to restore), compressed state
        // through a buffer (well under a second).
        env.getConfig().setUseSnapshotCompression(true);
        String group =
                args.get(GROUP_ID).isEmpty()
                        ? "belamy-train-" + settings.name()
                        : args.get(GROUP_ID);
        build(
                env,
                KafkaIo.source(kafka, topics.corpusText().name(), group, true),
                KafkaIo.source(kafka, topics.corpusText().name(), group + "-heldout", true),
                KafkaIo.sink(kafka, true, "belamy-train-" + settings.name()),
                topics,
                settings,
                args.get(HELD_OUT));
    }

    /** Entry point on a cluster. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, JobArgs.parse(args, KEYS));
        env.execute("belamy train-text");
    }
}

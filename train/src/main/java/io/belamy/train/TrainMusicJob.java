package io.belamy.train;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.music.RollSpec;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.ConfigKey;
import io.belamy.streaming.JobArgs;
import io.belamy.streaming.KafkaIo;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The train-music job: continual training of the MuseGAN-style GAN on {@code <prefix>corpus.midi}.
 *
 * <pre>
 * KafkaSource(corpus.midi, read_committed) -&gt; DecodeMidiEvent -&gt; keyBy(piece) -&gt; AssemblePhrases
 *     -&gt; keyBy(model) -&gt; TrainMusicGan -&gt; KafkaSink(models, dlq)
 * </pre>
 *
 * <p>Exactly-once: offsets, the pieces being assembled and the training state are checkpointed
 * together, and versions are announced through a transactional sink.
 */
public final class TrainMusicJob {

    public static final String NAME = "train-music";

    public static final String UID_SOURCE = "train-music-source";
    public static final String UID_DECODE = "train-music-decode";
    public static final String UID_ASSEMBLE = "train-music-assemble-phrases";
    public static final String UID_TRAIN = "train-music-train";
    public static final String UID_SINK = "train-music-sink";

    public static final ConfigKey<String> MODEL_NAME = TrainKeys.MODEL_NAME;
    public static final ConfigKey<String> MODEL_PRESET =
            new ConfigKey<>(
                    "model.preset",
                    "GAN preset to train from scratch (default, small); or use model.from.",
                    "",
                    "default, small",
                    s -> s);
    public static final ConfigKey<String> MODEL_FROM =
            new ConfigKey<>(
                    "model.from",
                    "Music GAN directory to continue training (instead of a preset).",
                    "",
                    "a directory",
                    s -> s);
    public static final ConfigKey<String> MODEL_STORE = TrainKeys.MODEL_STORE;
    public static final ConfigKey<Integer> BATCH_SIZE =
            ConfigKey.integer("batch.size", "Rolls per critic or generator update.", 16, 1, 1024);
    public static final ConfigKey<Integer> CRITIC_STEPS =
            ConfigKey.integer("critic.steps", "Critic updates per generator update.", 5, 1, 100);
    public static final ConfigKey<Double> GRADIENT_PENALTY =
            ConfigKey.decimal("gradient.penalty", "WGAN-GP penalty weight (lambda).", 10.0, 0, 1e6);
    public static final ConfigKey<Double> LEARNING_RATE =
            ConfigKey.decimal(
                    "learning.rate",
                    "Adam learning rate of both networks (betas 0.5, 0.9).",
                    1e-3,
                    1e-7,
                    0.5);
    public static final ConfigKey<Long> SEED =
            ConfigKey.longKey(
                    "seed",
                    "Seed of fresh weights, latents and batch draws.",
                    1L,
                    Long.MIN_VALUE,
                    Long.MAX_VALUE);
    public static final ConfigKey<Double> STEPS_PER_PHRASE =
            ConfigKey.decimal(
                    "steps.per.phrase",
                    "Training steps each arriving phrase earns.",
                    1.0,
                    0.001,
                    1000);
    public static final ConfigKey<Integer> PHRASE_BUFFER =
            ConfigKey.integer(
                    "phrase.buffer",
                    "Most recent phrases kept to draw batches from.",
                    1024,
                    1,
                    1 << 20);
    public static final ConfigKey<Duration> IDLE_TIMEOUT =
            ConfigKey.duration(
                    "phrase.idle.timeout",
                    "A piece without end marker (live input) is cut into phrases after this long without events.",
                    Duration.ofSeconds(60));
    public static final ConfigKey<Integer> STEPS_PER_VERSION =
            ConfigKey.integer(
                    "steps.per.version",
                    "Publish a model version every this many steps.",
                    100,
                    1,
                    1 << 30);
    public static final ConfigKey<Duration> VERSION_INTERVAL = TrainKeys.VERSION_INTERVAL;
    public static final ConfigKey<Integer> EVAL_SAMPLES =
            ConfigKey.integer(
                    "eval.samples",
                    "Rolls generated to compute each version's metrics.",
                    32,
                    1,
                    4096);
    public static final ConfigKey<Long> INLINE_STATE = TrainKeys.INLINE_STATE;
    public static final ConfigKey<String> GROUP_ID = TrainKeys.GROUP_ID;

    public static final List<ConfigKey<?>> KEYS =
            List.of(
                    CommonKeys.BOOTSTRAP_SERVERS,
                    CommonKeys.TOPIC_PREFIX,
                    CommonKeys.KAFKA_PROPERTIES,
                    CommonKeys.CHECKPOINT_INTERVAL,
                    MODEL_NAME,
                    MODEL_PRESET,
                    MODEL_FROM,
                    MODEL_STORE,
                    BATCH_SIZE,
                    CRITIC_STEPS,
                    GRADIENT_PENALTY,
                    LEARNING_RATE,
                    SEED,
                    STEPS_PER_PHRASE,
                    PHRASE_BUFFER,
                    IDLE_TIMEOUT,
                    STEPS_PER_VERSION,
                    VERSION_INTERVAL,
                    EVAL_SAMPLES,
                    INLINE_STATE,
                    GROUP_ID);

    private TrainMusicJob() {}

    /** The data flow. */
    public static void build(
            StreamExecutionEnvironment env,
            Source<RawRecord, ?, ?> corpus,
            Sink<OutRecord> sink,
            Topics topics,
            MusicSettings settings,
            Duration idleTimeout)
            throws IOException {
        RollSpec roll = settings.roll();
        // 1. MIDI events as raw records.
        DataStream<RawRecord> raw =
                env.fromSource(corpus, WatermarkStrategy.noWatermarks(), "corpus.midi")
                        .uid(UID_SOURCE)
                        .setParallelism(1);
        // 2. Decode; bad records to the dead-letter topic.
        SingleOutputStreamOperator<MidiEventRecord> events =
                raw.process(new DecodeMidiEvent(topics, NAME))
                        .uid(UID_DECODE)
                        .name("decode MIDI events")
                        .setParallelism(1);
        // 3. Collect each piece's events; cut finished pieces into piano-roll phrases.
        SingleOutputStreamOperator<Phrase> phrases =
                events.keyBy(new PieceKey())
                        .process(new AssemblePhrases(topics, NAME, roll, idleTimeout))
                        .uid(UID_ASSEMBLE)
                        .name("assemble phrases");
        // 4. Train the GAN; publish versions.
        DataStream<OutRecord> versions =
                phrases.keyBy(new ModelKey(settings.name()))
                        .process(new TrainMusicGan(topics, settings))
                        .uid(UID_TRAIN)
                        .name("train " + settings.name())
                        .setParallelism(1)
                        .setMaxParallelism(1);
        // 5. Versions, dead letters and piece reports to Kafka, exactly once.
        versions.union(
                        events.getSideOutput(DecodeMidiEvent.REJECTED),
                        phrases.getSideOutput(AssemblePhrases.REPORTS))
                .sinkTo(sink)
                .uid(UID_SINK)
                .name("versions")
                .setParallelism(1);
    }

    /** The events of one piece. */
    static final class PieceKey implements KeySelector<MidiEventRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(MidiEventRecord e) {
            return e.corpus() + "/" + e.piece();
        }
    }

    /** Every phrase belongs to the one model being trained. */
    static final class ModelKey implements KeySelector<Phrase, String> {
        private static final long serialVersionUID = 1L;
        private final String name;

        ModelKey(String name) {
            this.name = name;
        }

        @Override
        public String getKey(Phrase p) {
            return name;
        }
    }

    /** The training settings these options give. */
    public static MusicSettings settings(JobArgs args) {
        String preset = args.get(MODEL_PRESET);
        String from = args.get(MODEL_FROM);
        return new MusicSettings(
                args.get(MODEL_NAME),
                preset.isEmpty() ? null : preset,
                from.isEmpty() ? null : Path.of(from).toAbsolutePath().toString(),
                ModelStore.at(args.get(MODEL_STORE)).location(),
                args.get(BATCH_SIZE),
                args.get(CRITIC_STEPS),
                args.get(GRADIENT_PENALTY),
                args.get(LEARNING_RATE),
                args.get(SEED),
                args.get(STEPS_PER_PHRASE),
                args.get(PHRASE_BUFFER),
                args.get(STEPS_PER_VERSION),
                args.get(VERSION_INTERVAL),
                args.get(EVAL_SAMPLES),
                args.get(INLINE_STATE));
    }

    /** Checkpointing, source and sink from the options; then {@link #build}. */
    public static void configure(StreamExecutionEnvironment env, JobArgs args) throws IOException {
        KafkaSettings kafka = CommonKeys.kafka(args);
        Topics topics = new Topics(args.get(CommonKeys.TOPIC_PREFIX));
        MusicSettings settings = settings(args);
        env.enableCheckpointing(args.get(CommonKeys.CHECKPOINT_INTERVAL).toMillis());
        // as train-text: the trainer lags behind the corpus, and its state is a few large arrays
        env.getCheckpointConfig().enableUnalignedCheckpoints(true);
        env.getConfig().setUseSnapshotCompression(true);
        String group =
                args.get(GROUP_ID).isEmpty()
                        ? "belamy-train-" + settings.name()
                        : args.get(GROUP_ID);
        build(
                env,
                KafkaIo.source(kafka, topics.corpusMidi().name(), group, true),
                KafkaIo.sink(kafka, true, "belamy-train-" + settings.name()),
                topics,
                settings,
                args.get(IDLE_TIMEOUT));
    }

    /** Entry point on a cluster. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, JobArgs.parse(args, KEYS));
        env.execute("belamy train-music");
    }
}

package io.belamy.generate;

import io.belamy.core.kafka.KafkaSettings;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.CommonKeys;
import io.belamy.streaming.ConfigKey;
import io.belamy.streaming.JobArgs;
import io.belamy.streaming.KafkaIo;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The generation job: prompts in, streamed text out.
 *
 * <pre>
 * KafkaSource(prompts) -&gt; ValidatePrompt -&gt; GenerateText -&gt; KafkaSink(generated.text, dlq)
 *                               \-&gt; error replies + dead letters -&gt; KafkaSink(generated.*, dlq)
 * KafkaSource(models) -- broadcast --/
 * </pre>
 *
 * <p>Delivery is at-least-once by default: a failover regenerates requests in flight, their chunks
 * carrying the same {@code (id, seq)}, so consumers drop repeats; the {@code done} record is
 * authoritative. With {@code delivery exactly-once} the sinks write transactions committed with
 * each checkpoint, and a restored request does not repeat chunks already committed.
 */
public final class GenerateJob {

    public static final String NAME = "generate";

    public static final String UID_SOURCE = "generate-prompts-source";
    public static final String UID_VALIDATE = "generate-validate";
    public static final String UID_GENERATE = "generate-text";
    public static final String UID_GENERATE_MUSIC = "generate-music";
    public static final String UID_FILL_MASK = "generate-fill-mask";
    public static final String UID_SINK = "generate-replies-sink";
    public static final String UID_REJECTS_SINK = "generate-rejects-sink";
    public static final String UID_MODELS = "generate-models-source";

    public static final ConfigKey<String> MODEL_DIR =
            ConfigKey.string(
                    "model.dir",
                    "Model directory to serve (a path on every TaskManager, or a Flink FileSystem"
                            + " URI such as a version's in the model store): a Hugging Face GPT-2"
                            + " answers text prompts, a belamy music GAN music prompts.",
                    null,
                    "a path, or a Flink FileSystem URI (file://, s3://, hdfs:// ...)");

    public static final ConfigKey<String> MODEL_NAME =
            ConfigKey.string(
                    "model.name",
                    "Name prompts use for the model (default: belamy.json's name, else the directory name).",
                    "",
                    "a non-empty name");

    public static final ConfigKey<Integer> BATCH_SIZE =
            ConfigKey.integer(
                    "batch.max.size",
                    "Most text requests decoded together (continuous batching).",
                    16,
                    1,
                    1024);

    public static final ConfigKey<Integer> QUEUE_SIZE =
            ConfigKey.integer(
                    "queue.max.size",
                    "Most requests waiting for a place in the batch; beyond it the prompts source is"
                            + " back-pressured.",
                    64,
                    1,
                    1 << 20);

    public static final String AT_LEAST_ONCE = "at-least-once";
    public static final String EXACTLY_ONCE = "exactly-once";

    public static final ConfigKey<String> DELIVERY =
            ConfigKey.choice(
                    "delivery",
                    "at-least-once: chunks leave as generated, repeats after a failover carry the"
                            + " same (id, seq); exactly-once: replies are committed with each"
                            + " checkpoint, consumers read read_committed.",
                    AT_LEAST_ONCE,
                    List.of(AT_LEAST_ONCE, EXACTLY_ONCE));

    public static final ConfigKey<String> GROUP_ID =
            ConfigKey.string(
                    "group.id",
                    "Kafka consumer group of the prompts source.",
                    "belamy-generate",
                    "a group id");

    /** Every option of the job, as {@code --key value} program arguments. */
    public static final List<ConfigKey<?>> KEYS =
            List.of(
                    CommonKeys.BOOTSTRAP_SERVERS,
                    CommonKeys.TOPIC_PREFIX,
                    CommonKeys.KAFKA_PROPERTIES,
                    CommonKeys.CHECKPOINT_INTERVAL,
                    CommonKeys.PARALLELISM,
                    MODEL_DIR,
                    MODEL_NAME,
                    BATCH_SIZE,
                    QUEUE_SIZE,
                    DELIVERY,
                    GROUP_ID);

    private GenerateJob() {}

    /**
     * The data flow, from a prompt source (and the models topic, for hot-swap) to a sink of replies
     * and dead letters.
     */
    public static void build(
            StreamExecutionEnvironment env,
            Source<RawRecord, ?, ?> prompts,
            Source<RawRecord, ?, ?> models,
            java.util.function.Function<String, Sink<OutRecord>> sinks,
            Topics topics,
            ServedModel model,
            int batchSize,
            int queueSize) {
        // 1. Prompts as raw records, so undecodable ones still reach the dead-letter topic.
        DataStream<RawRecord> raw =
                env.fromSource(prompts, WatermarkStrategy.noWatermarks(), "prompts")
                        .uid(UID_SOURCE);
        // 2. Decode and check; rejects become error replies and dead letters.
        SingleOutputStreamOperator<ValidPrompt> valid =
                raw.process(new ValidatePrompt(topics, model))
                        .uid(UID_VALIDATE)
                        .name("validate prompts");
        // 3. Generate: text streams a chunk per piece, then the final record, batched and
        // hot-swapped as new versions appear on the models topic; music is one record with the
        // MIDI file.
        DataStream<OutRecord> replies;
        if (model.task().equals(PromptRecord.MUSIC)) {
            replies =
                    valid.process(new GenerateMusic(topics, model))
                            .uid(UID_GENERATE_MUSIC)
                            .name("generate music");
        } else if (model.task().equals(PromptRecord.FILL_MASK)) {
            replies =
                    valid.process(new GenerateFillMask(topics, model))
                            .uid(UID_FILL_MASK)
                            .name("fill mask");
        } else {
            DataStream<RawRecord> versions =
                    env.fromSource(models, WatermarkStrategy.noWatermarks(), "models")
                            .uid(UID_MODELS)
                            .setParallelism(1);
            replies =
                    valid.connect(versions.broadcast())
                            .transform(
                                    "generate text",
                                    TypeInformation.of(OutRecord.class),
                                    new GenerateText.Factory(topics, model, batchSize, queueSize))
                            .uid(UID_GENERATE);
        }
        // 4. To Kafka, each record to its own topic: replies through a sink chained to the
        // generator (no network hop per chunk), rejections through one chained to validation.
        replies.sinkTo(sinks.apply("replies")).uid(UID_SINK).name("replies");
        valid.getSideOutput(ValidatePrompt.REJECTED)
                .sinkTo(sinks.apply("rejects"))
                .uid(UID_REJECTS_SINK)
                .name("rejected prompts");
    }

    /** Configures checkpointing and builds the job from program arguments. */
    public static void configure(StreamExecutionEnvironment env, JobArgs args)
            throws java.io.IOException {
        KafkaSettings kafka = CommonKeys.kafka(args);
        Topics topics = new Topics(args.get(CommonKeys.TOPIC_PREFIX));
        String name = args.get(MODEL_NAME);
        ServedModel model = ServedModel.of(args.get(MODEL_DIR), name.isEmpty() ? null : name);
        Duration interval = args.get(CommonKeys.CHECKPOINT_INTERVAL);
        env.enableCheckpointing(interval.toMillis());
        env.setParallelism(args.get(CommonKeys.PARALLELISM));
        env.getConfig().enableObjectReuse();
        // A prompt or a chunk is one small record: send each at once rather than waiting up to
        // the default 100 ms for a network buffer to fill (it showed as queue time).
        env.setBufferTimeout(0);
        boolean exactlyOnce = args.get(DELIVERY).equals(EXACTLY_ONCE);
        String group = args.get(GROUP_ID);
        build(
                env,
                KafkaIo.source(kafka, topics.prompts().name(), group, false),
                KafkaIo.sourceFromStart(kafka, topics.models().name(), group + "-models", true),
                part -> KafkaIo.sink(kafka, exactlyOnce, group + "-" + part),
                topics,
                model,
                args.get(BATCH_SIZE),
                args.get(QUEUE_SIZE));
    }

    /** Entry point on a cluster: {@code --bootstrap.servers host:port --model.dir DIR [...]}. */
    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        configure(env, JobArgs.parse(args, KEYS));
        env.execute("belamy generate");
    }
}

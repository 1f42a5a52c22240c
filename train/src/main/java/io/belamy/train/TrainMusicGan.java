package io.belamy.train;

import io.belamy.core.music.MusicMetrics;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.RollSpec;
import io.belamy.core.music.gan.GanTrainer;
import io.belamy.core.music.gan.MuseGan;
import io.belamy.core.store.ModelCard;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the music GAN on the phrases it receives: each phrase joins a buffer of recent phrases and
 * earns {@code stepsPerPhrase} training steps, each on batches drawn from the buffer (seeded by the
 * step number). Every {@code stepsPerVersion} steps, or {@code versionInterval} after the last
 * version if steps were taken, a version goes to the store and to the models topic, with the
 * MuseGAN metrics of generated samples beside the buffer's.
 *
 * <p>Generator, critic, both optimizers, the step count, the buffer and the counters are operator
 * state: a restore continues the run exactly. Parallelism 1, keyed by the model name (for the
 * version timer).
 */
public final class TrainMusicGan extends KeyedProcessFunction<String, Phrase, OutRecord>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainMusicGan.class);

    private final String prefix;
    private final MusicSettings settings;

    private transient MuseGan model;
    private transient GanTrainer trainer;
    private transient ModelStore store;
    private transient RollSpec spec;

    private transient List<long[]> buffer;
    private transient int bufferNext;
    private transient double credit;
    private transient long phrasesSeen;
    private transient long version;
    private transient long lastVersionStep;
    private transient long lastVersionMillis;
    private transient long timerAt;
    private transient byte[] restoredSnapshot;

    private transient volatile double criticLoss;
    private transient volatile double generatorLoss;
    private transient volatile double wasserstein;
    private transient volatile double gradientPenalty;
    private transient volatile double stepMillis;

    private transient ListState<byte[]> snapshotState;
    private transient ListState<String> snapshotPathState;
    private transient ListState<long[]> bufferState;
    private transient ListState<Long> countersState;

    public TrainMusicGan(Topics topics, MusicSettings settings) {
        this.prefix = topics.prefix();
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        store = ModelStore.at(settings.store());
        model = settings.open();
        spec = model.config().roll();
        trainer = new GanTrainer(model, settings.trainer());
        if (restoredSnapshot != null) {
            trainer.restore(restoredSnapshot);
            restoredSnapshot = null;
            LOG.info(
                    "{}: restored at step {} ({} phrases seen, {} buffered, version {})",
                    settings.name(),
                    trainer.steps(),
                    phrasesSeen,
                    buffer.size(),
                    version);
        } else if (version == 0) {
            version = store.latest(settings.name()).orElse(0L);
            lastVersionMillis = System.currentTimeMillis();
        }
        MetricGroup m =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("belamy")
                        .addGroup("model", settings.name());
        m.gauge("criticLoss", (Gauge<Double>) () -> criticLoss);
        m.gauge("generatorLoss", (Gauge<Double>) () -> generatorLoss);
        m.gauge("wasserstein", (Gauge<Double>) () -> wasserstein);
        m.gauge("gradientPenalty", (Gauge<Double>) () -> gradientPenalty);
        m.gauge("stepTimeMs", (Gauge<Double>) () -> stepMillis);
        m.gauge("steps", (Gauge<Long>) () -> trainer.steps());
        m.gauge("phrasesSeen", (Gauge<Long>) () -> phrasesSeen);
        m.gauge("version", (Gauge<Long>) () -> version);
    }

    @Override
    public void processElement(Phrase p, Context ctx, Collector<OutRecord> out) throws Exception {
        if (buffer.size() < settings.bufferSize()) {
            buffer.add(p.bits());
        } else {
            buffer.set(bufferNext, p.bits());
            bufferNext = (bufferNext + 1) % settings.bufferSize();
        }
        phrasesSeen++;
        credit += settings.stepsPerPhrase();
        while (credit >= 1) {
            credit -= 1;
            GanTrainer.StepResult r = trainer.step(batch(trainer.steps() + 1));
            criticLoss = r.criticLoss();
            generatorLoss = r.generatorLoss();
            wasserstein = r.wasserstein();
            gradientPenalty = r.gradientPenalty();
            stepMillis = r.nanos() / 1e6;
            long now = ctx.timerService().currentProcessingTime();
            boolean dueBySteps = r.step() - lastVersionStep >= settings.stepsPerVersion();
            boolean dueByTime = now - lastVersionMillis >= settings.versionInterval().toMillis();
            if (dueBySteps || dueByTime) {
                publish(out, now);
            }
        }
        if (trainer.steps() > lastVersionStep) {
            long at = lastVersionMillis + settings.versionInterval().toMillis();
            if (timerAt != at) {
                ctx.timerService().registerProcessingTimeTimer(at);
                timerAt = at;
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (trainer.steps() > lastVersionStep
                && now - lastVersionMillis >= settings.versionInterval().toMillis()) {
            publish(out, now);
        }
    }

    /** The rolls of one step, drawn from the buffer with replacement, seeded by the step. */
    private List<PianoRoll> batch(long step) {
        SplittableRandom r = new SplittableRandom(settings.seed() * 7_919L + step);
        List<PianoRoll> rolls = new ArrayList<>();
        for (int i = 0; i < settings.trainer().rollsPerStep(); i++) {
            rolls.add(PianoRoll.fromBits(spec, buffer.get(r.nextInt(buffer.size()))));
        }
        return rolls;
    }

    /** Writes the next version to the store and announces it on the models topic. */
    private void publish(Collector<OutRecord> out, long now) throws Exception {
        long next = version + 1;
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("criticLoss", criticLoss);
        metrics.put("generatorLoss", generatorLoss);
        metrics.put("wasserstein", wasserstein);
        metrics.put("gradientPenalty", gradientPenalty);
        MusicMetrics.of(spec, model.sample(settings.evalSamples(), settings.seed()))
                .forEach(metrics::put);
        List<PianoRoll> data = new ArrayList<>();
        buffer.forEach(b -> data.add(PianoRoll.fromBits(spec, b)));
        MusicMetrics.of(spec, data).forEach((k, v) -> metrics.put("data." + k, v));
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("steps", trainer.steps());
        counters.put("phrasesSeen", phrasesSeen);
        counters.put("phrasesBuffered", (long) buffer.size());
        Long parent = version > 0 ? version : null;
        ModelCard card =
                new ModelCard(settings.name(), MuseGan.KIND, next, parent, now, counters, metrics);
        String uri =
                store.write(
                        settings.name(),
                        next,
                        d -> {
                            model.save(d);
                            card.write(d);
                        });
        version = next;
        lastVersionStep = trainer.steps();
        lastVersionMillis = now;
        ModelVersionRecord record =
                new ModelVersionRecord(
                        ModelVersionRecord.VERSION,
                        settings.name(),
                        next,
                        MuseGan.KIND,
                        uri,
                        parent,
                        now,
                        counters,
                        metrics);
        out.collect(OutRecord.of(new Topics(prefix).models(), settings.name(), record));
        LOG.info(
                "{} v{}: step {}, critic {}, generator {}, {} phrases seen -> {}",
                settings.name(),
                next,
                trainer.steps(),
                criticLoss,
                generatorLoss,
                phrasesSeen,
                uri);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        byte[] snapshot = trainer.snapshot();
        snapshotState.clear();
        snapshotPathState.clear();
        if (snapshot.length <= settings.inlineStateLimit()) {
            snapshotState.add(snapshot);
        } else {
            snapshotPathState.add(
                    store.writeCheckpoint(settings.name(), context.getCheckpointId(), snapshot));
        }
        bufferState.update(buffer);
        countersState.update(
                List.of(
                        version,
                        lastVersionStep,
                        lastVersionMillis,
                        phrasesSeen,
                        (long) bufferNext,
                        Double.doubleToLongBits(credit),
                        Double.doubleToLongBits(criticLoss),
                        Double.doubleToLongBits(generatorLoss),
                        Double.doubleToLongBits(wasserstein),
                        Double.doubleToLongBits(gradientPenalty)));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        var states = context.getOperatorStateStore();
        snapshotState =
                states.getListState(new ListStateDescriptor<>("gan-snapshot", byte[].class));
        snapshotPathState =
                states.getListState(new ListStateDescriptor<>("gan-snapshot-path", Types.STRING));
        bufferState = states.getListState(new ListStateDescriptor<>("gan-phrases", long[].class));
        countersState = states.getListState(new ListStateDescriptor<>("gan-counters", Types.LONG));
        buffer = new ArrayList<>();
        criticLoss = Double.NaN;
        generatorLoss = Double.NaN;
        wasserstein = Double.NaN;
        gradientPenalty = Double.NaN;
        if (!context.isRestored()) {
            return;
        }
        for (byte[] b : snapshotState.get()) {
            restoredSnapshot = b;
        }
        for (String p : snapshotPathState.get()) {
            restoredSnapshot = ModelStore.read(p);
        }
        bufferState.get().forEach(buffer::add);
        List<Long> c = new ArrayList<>();
        countersState.get().forEach(c::add);
        if (c.size() == 10) {
            version = c.get(0);
            lastVersionStep = c.get(1);
            lastVersionMillis = c.get(2);
            phrasesSeen = c.get(3);
            bufferNext = (int) (long) c.get(4);
            credit = Double.longBitsToDouble(c.get(5));
            criticLoss = Double.longBitsToDouble(c.get(6));
            generatorLoss = Double.longBitsToDouble(c.get(7));
            wasserstein = Double.longBitsToDouble(c.get(8));
            gradientPenalty = Double.longBitsToDouble(c.get(9));
        }
    }

    @Override
    public void close() {
        if (trainer != null) {
            trainer.close();
        }
        if (model != null) {
            model.close();
        }
    }
}

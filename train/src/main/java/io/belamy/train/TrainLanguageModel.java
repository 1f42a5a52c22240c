package io.belamy.train;

import io.belamy.core.bert.BertModel;
import io.belamy.core.store.ModelCard;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.Topics;
import io.belamy.core.train.Batches;
import io.belamy.core.train.LanguageModel;
import io.belamy.core.train.PackedSequence;
import io.belamy.core.train.StepResult;
import io.belamy.core.train.TokenBatch;
import io.belamy.core.train.Trainer;
import io.belamy.streaming.OutRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one language model on the sequences it receives: fills a batch, takes a step (through the
 * JVM-wide training gate), evaluates on held-out sequences now and then, and publishes model
 * versions: a Hugging Face directory in the store and a record on the models topic.
 *
 * <p>Weights, optimizer moments, step and token counters, the unfinished batch and the held-out
 * sequences are operator state, so a restore from a checkpoint continues exactly where the
 * checkpoint was taken: no sequence is trained twice or skipped. Training state larger than {@code
 * inlineStateLimit} is written to the store under the checkpoint id and only its path is kept in
 * Flink state. Runs with parallelism 1 on a stream keyed by the model name, for its timer: when the
 * text stops, steps not yet published become a version after {@code versionInterval}.
 */
public final class TrainLanguageModel
        extends KeyedCoProcessFunction<String, TrainingInput, TrainingInput, OutRecord>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(TrainLanguageModel.class);

    private final String prefix;
    private final TrainSettings settings;

    private transient LanguageModel model;
    private transient Trainer trainer;
    private transient ModelStore store;
    private transient Set<Integer> special;
    private transient int maskId;

    private transient List<PackedSequence> pending;
    private transient List<PackedSequence> heldOut;
    private transient long version;
    private transient long lastVersionStep;
    private transient long lastVersionMillis;
    private transient long tokensSeen;
    private transient long packerPending;
    private transient long chunks;
    private transient byte[] restoredSnapshot;
    private transient long timerAt;

    private transient volatile double lastLoss;
    private transient volatile double lastHeldOutLoss;
    private transient volatile double lastTokensPerSecond;
    private transient volatile double lastStepMillis;

    private transient ListState<byte[]> snapshotState;
    private transient ListState<String> snapshotPathState;
    private transient ListState<long[]> sequencesState;
    private transient ListState<Long> countersState;

    public TrainLanguageModel(Topics topics, TrainSettings settings) {
        this.prefix = topics.prefix();
        this.settings = settings;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        store = ModelStore.at(settings.store());
        model = settings.source().open(settings.training().seed());
        trainer = new Trainer(model, settings.training());
        special = ModelSource.specialIds(model.tokenizer());
        maskId = model.tokenizer().tokenId(BertModel.MASK);
        if (restoredSnapshot != null) {
            trainer.restore(restoredSnapshot);
            restoredSnapshot = null;
            LOG.info(
                    "{}: restored at step {} ({} tokens trained, {} seen, {} pending in {} sequences"
                            + " + {} in the packer, version {})",
                    settings.name(),
                    trainer.steps(),
                    trainer.tokensTrained(),
                    tokensSeen,
                    tokensPending(),
                    pending.size(),
                    packerPending,
                    version);
        } else if (version == 0) {
            // a new run: continue the store's numbering, never overwrite a published version
            version = store.latest(settings.name()).orElse(0L);
            lastVersionMillis = System.currentTimeMillis();
        }
        MetricGroup m =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("belamy")
                        .addGroup("model", settings.name());
        m.gauge("loss", (Gauge<Double>) () -> lastLoss);
        m.gauge("heldOutLoss", (Gauge<Double>) () -> lastHeldOutLoss);
        m.gauge("tokensPerSecond", (Gauge<Double>) () -> lastTokensPerSecond);
        m.gauge("stepTimeMs", (Gauge<Double>) () -> lastStepMillis);
        m.gauge("tokensTrained", (Gauge<Long>) () -> trainer.tokensTrained());
        m.gauge("tokensSeen", (Gauge<Long>) () -> tokensSeen);
        m.gauge("tokensPending", (Gauge<Long>) this::tokensPending);
        m.gauge("steps", (Gauge<Long>) () -> trainer.steps());
        m.gauge("version", (Gauge<Long>) () -> version);
    }

    /** Held-out sequences: kept (up to the limit) for evaluation, never trained on. */
    @Override
    public void processElement2(TrainingInput in, Context ctx, Collector<OutRecord> out) {
        if (!in.isMarker() && heldOut.size() < settings.heldOutSequences()) {
            heldOut.add(new PackedSequence(in.tokens(), in.realLength(), in.trainTokens()));
        }
    }

    /** Training sequences and the packer's progress markers. */
    @Override
    public void processElement1(TrainingInput in, Context ctx, Collector<OutRecord> out)
            throws Exception {
        tokensSeen = Math.max(tokensSeen, in.tokensSeen());
        packerPending = in.packerPending();
        chunks = Math.max(chunks, in.chunks());
        if (in.isMarker()) {
            return;
        }
        PackedSequence s = new PackedSequence(in.tokens(), in.realLength(), in.trainTokens());
        pending.add(s);
        if (pending.size() < settings.training().batchSize()) {
            return;
        }
        StepResult r = trainer.step(batch(pending, trainer.steps()));
        pending.clear();
        lastLoss = r.loss();
        lastTokensPerSecond = r.tokensPerSecond();
        lastStepMillis = r.nanos() / 1e6;
        if (r.step() % settings.evalInterval() == 0) {
            evaluate();
        }
        long now = ctx.timerService().currentProcessingTime();
        boolean dueBySteps = r.step() - lastVersionStep >= settings.stepsPerVersion();
        boolean dueByTime = now - lastVersionMillis >= settings.versionInterval().toMillis();
        if (dueBySteps || dueByTime) {
            publish(out, now);
        } else {
            long at = lastVersionMillis + settings.versionInterval().toMillis();
            if (timerAt != at) {
                ctx.timerService().registerProcessingTimeTimer(at);
                timerAt = at;
            }
        }
    }

    /** Publishes the steps taken since the last version once the version interval has passed. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (trainer.steps() > lastVersionStep
                && now - lastVersionMillis >= settings.versionInterval().toMillis()) {
            publish(out, now);
        }
    }

    private TokenBatch batch(List<PackedSequence> sequences, long step) {
        if (model.kind().equals(BertModel.KIND)) {
            return Batches.masked(
                    sequences,
                    settings.training().maskProbability(),
                    maskId,
                    model.tokenizer().vocabSize(),
                    special,
                    settings.training().seed() * 1_000_003L + step);
        }
        return Batches.causal(sequences);
    }

    private void evaluate() {
        if (heldOut.isEmpty()) {
            return;
        }
        List<TokenBatch> batches = new ArrayList<>();
        int b = settings.training().batchSize();
        for (int i = 0; i < heldOut.size(); i += b) {
            batches.add(batch(heldOut.subList(i, Math.min(heldOut.size(), i + b)), -1 - i));
        }
        lastHeldOutLoss = trainer.evaluate(batches);
    }

    /** Writes the next version to the store and announces it on the models topic. */
    private void publish(Collector<OutRecord> out, long now) throws Exception {
        evaluate();
        long next = version + 1;
        Map<String, Long> counters = counters();
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (Double.isFinite(lastLoss)) {
            metrics.put("loss", lastLoss);
        }
        if (Double.isFinite(lastHeldOutLoss)) {
            metrics.put("heldOutLoss", lastHeldOutLoss);
        }
        Long parent = version > 0 ? version : null;
        ModelCard card =
                new ModelCard(settings.name(), model.kind(), next, parent, now, counters, metrics);
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
                        model.kind(),
                        uri,
                        parent,
                        now,
                        counters,
                        metrics);
        out.collect(OutRecord.of(new Topics(prefix).models(), settings.name(), record));
        LOG.info(
                "{} v{}: step {}, loss {}, held-out loss {}, {} tokens trained -> {}",
                settings.name(),
                next,
                trainer.steps(),
                lastLoss,
                lastHeldOutLoss,
                trainer.tokensTrained(),
                uri);
    }

    /** Training tokens received but not trained yet: in the packer or the unfinished batch. */
    private long tokensPending() {
        return packerPending + pending.stream().mapToLong(PackedSequence::trainTokens).sum();
    }

    private Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("steps", trainer.steps());
        c.put("tokensTrained", trainer.tokensTrained());
        c.put("tokensSeen", tokensSeen);
        c.put("tokensPending", tokensPending());
        c.put("chunks", chunks);
        c.put("heldOutSequences", (long) heldOut.size());
        return c;
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
        List<long[]> seqs = new ArrayList<>();
        for (PackedSequence s : pending) {
            seqs.add(encode(s, 0));
        }
        for (PackedSequence s : heldOut) {
            seqs.add(encode(s, 1));
        }
        sequencesState.update(seqs);
        countersState.update(
                List.of(
                        version,
                        lastVersionStep,
                        lastVersionMillis,
                        tokensSeen,
                        packerPending,
                        chunks,
                        Double.doubleToLongBits(lastLoss),
                        Double.doubleToLongBits(lastHeldOutLoss)));
    }

    /** A sequence as one array: kind (0 pending, 1 held out), real length, train tokens, ids. */
    private static long[] encode(PackedSequence s, int kind) {
        long[] out = new long[3 + s.tokens().length];
        out[0] = kind;
        out[1] = s.realLength();
        out[2] = s.trainTokens();
        System.arraycopy(s.tokens(), 0, out, 3, s.tokens().length);
        return out;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        var states = context.getOperatorStateStore();
        snapshotState =
                states.getListState(new ListStateDescriptor<>("training-snapshot", byte[].class));
        snapshotPathState =
                states.getListState(
                        new ListStateDescriptor<>("training-snapshot-path", Types.STRING));
        sequencesState =
                states.getListState(new ListStateDescriptor<>("training-sequences", long[].class));
        countersState =
                states.getListState(new ListStateDescriptor<>("training-counters", Types.LONG));
        pending = new ArrayList<>();
        heldOut = new ArrayList<>();
        lastLoss = Double.NaN;
        lastHeldOutLoss = Double.NaN;
        if (!context.isRestored()) {
            return;
        }
        for (byte[] b : snapshotState.get()) {
            restoredSnapshot = b;
        }
        for (String p : snapshotPathState.get()) {
            restoredSnapshot = ModelStore.read(p);
        }
        for (long[] s : sequencesState.get()) {
            PackedSequence seq =
                    new PackedSequence(Arrays.copyOfRange(s, 3, s.length), (int) s[1], (int) s[2]);
            (s[0] == 0 ? pending : heldOut).add(seq);
        }
        List<Long> c = new ArrayList<>();
        countersState.get().forEach(c::add);
        if (c.size() == 8) {
            version = c.get(0);
            lastVersionStep = c.get(1);
            lastVersionMillis = c.get(2);
            tokensSeen = c.get(3);
            packerPending = c.get(4);
            chunks = c.get(5);
            lastLoss = Double.longBitsToDouble(c.get(6));
            lastHeldOutLoss = Double.longBitsToDouble(c.get(7));
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

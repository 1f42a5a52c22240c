package io.belamy.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.generation.BatchGenerator;
import io.belamy.core.generation.Generation;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.ModelVersionRecord;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.ReplyParts;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves text prompts with continuous batching and model hot-swap.
 *
 * <p>Input 1 is validated prompts; input 2 is the models topic (broadcast to every instance).
 * Prompts wait in a queue and join a running batch ({@link BatchGenerator}) between decode steps;
 * each step is one mail of the task's mailbox, so input, checkpoint barriers and timers are handled
 * between steps and no step holds a barrier for longer than one decode step. When more than {@code
 * maxWaiting} prompts wait, taking the next one blocks (running steps meanwhile): the source is
 * back-pressured, nothing is dropped.
 *
 * <p>A new version of the served model on the models topic is loaded on a background thread beside
 * the running one, then becomes the version new prompts get; requests running on the old version
 * finish on it, and the old version is closed (its native memory freed) once nothing runs or waits
 * on it. A prompt may pin a version the job knows of (loaded, or announced on the models topic).
 *
 * <p>State: every waiting and running request (prompt, seed, version, chunks already emitted) and
 * the newest version. After a restore each is regenerated from its seed on its version; chunks
 * emitted before the checkpoint are not emitted again, so with a transactional sink every request
 * has exactly one committed reply, and in at-least-once mode repeats carry the same {@code (id,
 * seq)}.
 */
public final class GenerateText extends AbstractStreamOperator<OutRecord>
        implements TwoInputStreamOperator<ValidPrompt, RawRecord, OutRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GenerateText.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How long a step may be put off for input. The task reads one input record per mailbox round,
     * so a burst of prompts would otherwise join one per decode step; a step waits while records
     * keep coming, up to this long, then runs anyway so running requests are never starved.
     */
    private static final long MAX_DEFER_NANOS = 2_000_000;

    private final String prefix;
    private final ServedModel initial;
    private final int maxBatch;
    private final int maxWaiting;

    private final transient MailboxExecutor mailbox;
    private transient Topics topics;
    private transient List<Request> waiting;
    private transient TreeMap<Long, Engine> engines;
    private transient Map<Long, String> known; // version -> directory or store URI
    private transient Set<Long> loadWanted;
    private transient Long loading;
    private transient ExecutorService loader;
    private transient boolean stepQueued;
    private transient boolean inputSinceStep;
    private transient long deferredSince;
    private transient long newestVersion;
    private transient List<InFlight> restored;

    private transient ListState<String> requestsState;
    private transient ListState<String> servingState;

    private transient Histogram queueTime;
    private transient Histogram timeToFirstToken;
    private transient Histogram timePerOutputToken;
    private transient Histogram e2eLatency;
    private transient Counter generationTokens;
    private transient Counter promptTokens;
    private transient Counter requestsFinished;
    private transient AtomicLong batchSize;

    GenerateText(
            StreamOperatorParameters<OutRecord> parameters,
            Topics topics,
            ServedModel initial,
            int maxBatch,
            int maxWaiting) {
        super(parameters);
        this.prefix = topics.prefix();
        this.initial = initial;
        this.maxBatch = maxBatch;
        this.maxWaiting = maxWaiting;
        this.mailbox = parameters.getMailboxExecutor();
    }

    /** Creates the operator with the task's mailbox. */
    public static final class Factory extends AbstractStreamOperatorFactory<OutRecord>
            implements TwoInputStreamOperatorFactory<ValidPrompt, RawRecord, OutRecord> {
        private static final long serialVersionUID = 1L;
        private final String prefix;
        private final ServedModel initial;
        private final int maxBatch;
        private final int maxWaiting;

        /**
         * @param maxBatch most requests decoded together
         * @param maxWaiting most requests waiting for a place in the batch before the source is
         *     back-pressured
         */
        public Factory(Topics topics, ServedModel initial, int maxBatch, int maxWaiting) {
            if (maxBatch < 1 || maxWaiting < 1) {
                throw new IllegalArgumentException(
                        "batch and queue limits must be >= 1, got " + maxBatch + ", " + maxWaiting);
            }
            this.prefix = topics.prefix();
            this.initial = initial;
            this.maxBatch = maxBatch;
            this.maxWaiting = maxWaiting;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends StreamOperator<OutRecord>> T createStreamOperator(
                StreamOperatorParameters<OutRecord> parameters) {
            return (T)
                    new GenerateText(parameters, new Topics(prefix), initial, maxBatch, maxWaiting);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return GenerateText.class;
        }
    }

    /** One loaded model version and its batch. */
    private static final class Engine {
        final long version;
        final GptModel model;
        final BatchGenerator batch;

        Engine(long version, GptModel model, int maxBatch) {
            this.version = version;
            this.model = model;
            this.batch = new BatchGenerator(model, maxBatch);
        }

        void close() {
            batch.close();
            model.close();
        }
    }

    /** A request in the job's state: enough to regenerate it exactly. */
    record InFlight(
            String prompt,
            long seed,
            Long pinned,
            long version,
            int emitted,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset,
            long sourceTimestamp,
            byte[] sourceKey,
            byte[] sourceValue)
            implements Serializable {}

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        requestsState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("generate-requests", String.class));
        servingState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("generate-serving", String.class));
        restored = new ArrayList<>();
        known = new TreeMap<>();
        if (context.isRestored()) {
            for (String s : requestsState.get()) {
                restored.add(JSON.readValue(s, InFlight.class));
            }
            for (String s : servingState.get()) {
                String[] parts = s.split("\t", 2);
                known.put(Long.parseLong(parts[0]), parts[1]);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        topics = new Topics(prefix);
        waiting = new ArrayList<>();
        engines = new TreeMap<>();
        loadWanted = new LinkedHashSet<>();
        loader =
                Executors.newSingleThreadExecutor(
                        r -> {
                            Thread t = new Thread(r, "belamy-model-loader");
                            t.setDaemon(true);
                            return t;
                        });
        known.putIfAbsent(initial.version(), initial.dir());
        registerMetrics();
        // The newest version this instance served (or the one given), then every version that
        // requests restored from a checkpoint ran on: loaded now, so they regenerate exactly.
        long serve = Math.max(initial.version(), known.keySet().stream().max(Long::compare).get());
        install(serve, GptModel.load(ModelStore.localCopy(known.get(serve))));
        for (InFlight f : restored) {
            if (!engines.containsKey(f.version()) && known.containsKey(f.version())) {
                install(f.version(), GptModel.load(ModelStore.localCopy(known.get(f.version()))));
            }
        }
        for (InFlight f : restored) {
            resume(f);
        }
        if (!restored.isEmpty()) {
            LOG.info("{} requests restored from the checkpoint, regenerating", restored.size());
        }
        restored = null;
        scheduleStep();
    }

    private void registerMetrics() {
        MetricGroup m = getRuntimeContext().getMetricGroup().addGroup("belamy");
        m.gauge("num_requests_running", (Gauge<Integer>) this::running);
        m.gauge("num_requests_waiting", (Gauge<Integer>) () -> waiting.size());
        m.gauge("models_loaded", (Gauge<Integer>) () -> engines.size());
        m.gauge("model_version", (Gauge<Long>) () -> newestVersion);
        batchSize = new AtomicLong();
        m.gauge("batch_current_size", (Gauge<Long>) batchSize::get);
        queueTime = m.histogram("request_queue_time_ms", new DescriptiveStatisticsHistogram(1000));
        timeToFirstToken =
                m.histogram("time_to_first_token_ms", new DescriptiveStatisticsHistogram(1000));
        timePerOutputToken =
                m.histogram("time_per_output_token_ms", new DescriptiveStatisticsHistogram(1000));
        e2eLatency =
                m.histogram("e2e_request_latency_ms", new DescriptiveStatisticsHistogram(1000));
        generationTokens = m.counter("generation_tokens_total");
        promptTokens = m.counter("prompt_tokens_total");
        requestsFinished = m.counter("request_success_total");
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<String> requests = new ArrayList<>();
        for (Request r : waiting) {
            requests.add(JSON.writeValueAsString(r.inFlight()));
        }
        for (Engine e : engines.values()) {
            for (Request r : runningOn(e)) {
                requests.add(JSON.writeValueAsString(r.inFlight()));
            }
        }
        requestsState.update(requests);
        List<String> serving = new ArrayList<>();
        for (Map.Entry<Long, String> k : known.entrySet()) {
            if (engines.containsKey(k.getKey()) || k.getKey() == newestVersion) {
                serving.add(k.getKey() + "\t" + k.getValue());
            }
        }
        servingState.update(serving);
    }

    @Override
    public void close() throws Exception {
        try {
            if (loader != null) {
                loader.shutdownNow();
            }
            if (engines != null) {
                for (Engine e : engines.values()) {
                    e.close();
                }
                engines.clear();
            }
        } finally {
            super.close();
        }
    }

    // ------------------------------------------------------------------ inputs

    @Override
    public void processElement1(StreamRecord<ValidPrompt> element) throws Exception {
        inputSinceStep = true;
        ValidPrompt prompt = element.getValue();
        Long pinned = prompt.prompt().modelVersion();
        if (pinned != null && !known.containsKey(pinned)) {
            fail(
                    prompt,
                    0,
                    ErrorCodes.UNKNOWN_MODEL_VERSION,
                    "model \""
                            + initial.name()
                            + "\" has no version "
                            + pinned
                            + " (known: "
                            + known.keySet()
                            + ")");
            return;
        }
        Request r = new Request(prompt, seedOf(prompt), pinned, 0, System.currentTimeMillis());
        if (!r.tokenize(
                engineFor(r) != null ? engineFor(r).model : engines.lastEntry().getValue().model)) {
            return;
        }
        waiting.add(r);
        if (pinned != null && !engines.containsKey(pinned)) {
            loadWanted.add(pinned);
            requestLoad();
        }
        scheduleStep();
        // Back-pressure: hold this input until the queue has room, running steps meanwhile.
        while (waiting.size() > maxWaiting) {
            mailbox.yield();
        }
    }

    @Override
    public void processElement2(StreamRecord<RawRecord> element) {
        ModelVersionRecord v;
        try {
            v = ModelVersionRecord.CODEC.decode(element.getValue().value());
        } catch (InvalidRecordException e) {
            LOG.warn("ignoring a record on the models topic: {}", e.getMessage());
            return;
        }
        if (!v.name().equals(initial.name()) || !GptModel.KIND.equals(v.kind())) {
            return;
        }
        known.put(v.version(), v.uri());
        if (v.version() > newestVersion) {
            loadWanted.add(v.version());
            requestLoad();
        }
    }

    private static long seedOf(ValidPrompt prompt) {
        Long seed = prompt.params().seed();
        return seed != null ? seed : java.util.concurrent.ThreadLocalRandom.current().nextLong();
    }

    // ------------------------------------------------------------------ models

    /** Starts loading the most wanted version (the newest first) unless a load runs. */
    private void requestLoad() {
        if (loading != null) {
            return;
        }
        loadWanted.removeIf(engines::containsKey);
        long newestKnown = known.keySet().stream().max(Long::compare).orElse(newestVersion);
        Long next =
                newestKnown > newestVersion && !engines.containsKey(newestKnown)
                        ? Long.valueOf(newestKnown)
                        : loadWanted.stream().findFirst().orElse(null);
        if (next == null) {
            return;
        }
        loadWanted.remove(next);
        long version = next;
        String dir = known.get(version);
        loading = version;
        LOG.info(
                "loading {} version {} from {} beside the running version",
                initial.name(),
                version,
                dir);
        loader.submit(
                () -> {
                    GptModel model;
                    try {
                        model = GptModel.load(ModelStore.localCopy(dir));
                    } catch (IOException | RuntimeException e) {
                        LOG.warn(
                                "cannot load {} version {} from {}",
                                initial.name(),
                                version,
                                dir,
                                e);
                        mailbox.execute(() -> loadFailed(version, e), "model load failed");
                        return;
                    }
                    try {
                        mailbox.execute(() -> loaded(version, model), "install model");
                    } catch (RuntimeException e) { // the task is closing
                        model.close();
                    }
                });
    }

    private void loaded(long version, GptModel model) {
        loading = null;
        install(version, model);
        scheduleStep();
        requestLoad();
    }

    private void loadFailed(long version, Exception e) {
        loading = null;
        known.remove(version);
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.pinned != null && r.pinned == version) {
                it.remove();
                fail(
                        r.prompt,
                        r.seq,
                        ErrorCodes.UNKNOWN_MODEL_VERSION,
                        "version " + version + " cannot be loaded: " + e);
            }
        }
        requestLoad();
    }

    private void install(long version, GptModel model) {
        Engine old = engines.put(version, new Engine(version, model, maxBatch));
        if (old != null) {
            old.close();
        }
        if (version > newestVersion) {
            newestVersion = version;
            LOG.info("serving {} version {}: new prompts run on it", initial.name(), version);
        }
    }

    /** Closes versions that are not the newest once nothing runs or waits on them. */
    private void release() {
        for (Iterator<Engine> it = engines.values().iterator(); it.hasNext(); ) {
            Engine e = it.next();
            if (e.version == newestVersion || e.batch.running() > 0) {
                continue;
            }
            boolean wanted = false;
            for (Request r : waiting) {
                wanted |= r.pinned != null && r.pinned == e.version;
            }
            if (!wanted) {
                it.remove();
                e.close();
                LOG.info("released {} version {}", initial.name(), e.version);
            }
        }
    }

    private Engine engineFor(Request r) {
        return r.pinned != null ? engines.get(r.pinned) : engines.get(newestVersion);
    }

    // ------------------------------------------------------------------ steps

    private void scheduleStep() {
        if (!stepQueued && (!waiting.isEmpty() || running() > 0)) {
            stepQueued = true;
            mailbox.execute(this::step, "generate step");
        }
    }

    /** Admits waiting requests where there is room, then one decode step per loaded version. */
    private void step() {
        stepQueued = false;
        if (inputSinceStep) {
            long now = System.nanoTime();
            if (deferredSince == 0) {
                deferredSince = now;
            }
            if (now - deferredSince < MAX_DEFER_NANOS) {
                // records are arriving: let the next mailbox round read another first
                inputSinceStep = false;
                scheduleStep();
                return;
            }
        }
        inputSinceStep = false;
        deferredSince = 0;
        // everyone who fits joins now, prefilled together per version
        Map<Engine, List<Request>> joining = new java.util.LinkedHashMap<>();
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request r = it.next();
            Engine e = engineFor(r);
            if (e != null) {
                List<Request> join = joining.computeIfAbsent(e, x -> new ArrayList<>());
                if (join.size() < e.batch.room()) {
                    it.remove();
                    join.add(r);
                }
            }
        }
        joining.forEach(this::start);
        long size = 0;
        for (Engine e : engines.values()) {
            e.batch.step();
            size += e.batch.running();
        }
        batchSize.set(size);
        release();
        scheduleStep();
    }

    private void start(Engine e, List<Request> requests) {
        List<BatchGenerator.Request> batch = new ArrayList<>();
        for (Request r : requests) {
            batch.add(r.joining(e));
        }
        e.batch.start(batch);
    }

    private int running() {
        int n = 0;
        for (Engine e : engines.values()) {
            n += e.batch.running();
        }
        return n;
    }

    private final List<Request> active = new ArrayList<>();

    private List<Request> runningOn(Engine e) {
        List<Request> out = new ArrayList<>();
        for (Request r : active) {
            if (r.engine == e) {
                out.add(r);
            }
        }
        return out;
    }

    private void resume(InFlight f) throws IOException {
        PromptRecord prompt =
                PromptRecord.CODEC.decode(
                        f.prompt().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        SamplingParams params =
                prompt.params().toSamplingParams().toBuilder().seed(f.seed()).build();
        RawRecord source =
                new RawRecord(
                        f.sourceTopic(),
                        f.sourcePartition(),
                        f.sourceOffset(),
                        f.sourceTimestamp(),
                        f.sourceKey(),
                        f.sourceValue());
        ValidPrompt valid = new ValidPrompt(prompt, params, null, source);
        // it runs again on the version it started on
        Request r =
                new Request(valid, f.seed(), f.version(), f.emitted(), System.currentTimeMillis());
        if (!engines.containsKey(f.version())) {
            fail(
                    valid,
                    f.emitted(),
                    ErrorCodes.UNKNOWN_MODEL_VERSION,
                    "version " + f.version() + " is gone");
            return;
        }
        if (r.tokenize(engines.get(f.version()).model)) {
            waiting.add(r);
        }
    }

    private void emit(OutRecord record) {
        output.collect(new StreamRecord<>(record));
    }

    private void fail(ValidPrompt request, int seq, String code, String message) {
        String id = request.prompt().id();
        emit(OutRecord.of(topics.generatedText(), id, new TextReply.Error(id, seq, code, message)));
        emit(DeadLetters.of(topics, GenerateJob.NAME, request.source(), code, message));
    }

    /** One request, from the queue to its final record. */
    private final class Request implements BatchGenerator.Listener {
        final ValidPrompt prompt;
        final long seed;
        final Long pinned;
        final int skip; // chunks emitted before a restore
        final long arrived;
        int[] ids;
        Engine engine;
        int seq;
        long startedMillis;
        long firstMillis;

        Request(ValidPrompt prompt, long seed, Long pinned, int skip, long arrived) {
            this.prompt = prompt;
            this.seed = seed;
            this.pinned = pinned;
            this.skip = skip;
            this.arrived = arrived;
        }

        /** Tokenizes and fits the prompt; a prompt too long gets its error reply here. */
        boolean tokenize(GptModel model) {
            try {
                ids =
                        TextGenerator.fitToContext(
                                model.config(),
                                model.tokenizer().encode(prompt.prompt().prompt()),
                                prompt.params());
                return true;
            } catch (IllegalArgumentException e) {
                fail(prompt, 0, ErrorCodes.PROMPT_TOO_LONG, e.getMessage());
                return false;
            }
        }

        BatchGenerator.Request joining(Engine e) {
            engine = e;
            startedMillis = System.currentTimeMillis();
            queueTime.update(startedMillis - received());
            active.add(this);
            promptTokens.inc(ids.length);
            return new BatchGenerator.Request(ids, prompt.params(), seed, System.nanoTime(), this);
        }

        long received() {
            long t = prompt.source().timestamp();
            return t > 0 ? Math.min(t, arrived) : arrived;
        }

        InFlight inFlight() {
            RawRecord s = prompt.source();
            try {
                return new InFlight(
                        new String(
                                PromptRecord.CODEC.encode(prompt.prompt()),
                                java.nio.charset.StandardCharsets.UTF_8),
                        seed,
                        pinned,
                        engine != null ? engine.version : (pinned != null ? pinned : newestVersion),
                        Math.max(seq, skip),
                        s.topic(),
                        s.partition(),
                        s.offset(),
                        s.timestamp(),
                        s.key(),
                        s.value());
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot checkpoint request " + prompt.prompt().id(), e);
            }
        }

        @Override
        public void onText(String piece) {
            if (seq == 0) {
                firstMillis = System.currentTimeMillis();
            }
            if (seq >= skip) {
                String id = prompt.prompt().id();
                emit(OutRecord.of(topics.generatedText(), id, new TextReply.Chunk(id, seq, piece)));
            }
            seq++;
        }

        @Override
        public void onDone(Generation g) {
            active.remove(this);
            long end = System.currentTimeMillis();
            long first = firstMillis != 0 ? firstMillis : end;
            long received = received();
            String id = prompt.prompt().id();
            emit(
                    OutRecord.of(
                            topics.generatedText(),
                            id,
                            new TextReply.Result(
                                    TextReply.VERSION,
                                    id,
                                    seq,
                                    g.text(),
                                    g.finishReason().wireName(),
                                    new ReplyParts.Usage(
                                            g.promptTokenIds().length, g.tokenIds().length),
                                    new ReplyParts.ModelRef(initial.name(), engine.version),
                                    new ReplyParts.Timings(
                                            Math.max(0, startedMillis - received),
                                            Math.max(0, first - received),
                                            Math.max(0, end - received)),
                                    g.seed(),
                                    null)));
            int tokens = g.tokenIds().length;
            generationTokens.inc(tokens);
            requestsFinished.inc();
            timeToFirstToken.update(Math.max(0, first - received));
            e2eLatency.update(Math.max(0, end - received));
            if (tokens > 1) {
                timePerOutputToken.update((end - first) / (tokens - 1));
            }
        }

        @Override
        public void onError(RuntimeException e) {
            active.remove(this);
            LOG.warn("generation failed for request {}", prompt.prompt().id(), e);
            fail(
                    prompt,
                    seq,
                    ErrorCodes.INTERNAL,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}

package io.belamy.train;

import io.belamy.core.music.MidiEvents;
import io.belamy.core.music.PianoRoll;
import io.belamy.core.music.PianoRolls;
import io.belamy.core.music.RollSpec;
import io.belamy.core.topic.DeadLetter;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.OutRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the events of each piece (keyed by {@code corpus/piece}) until its end-of-piece marker,
 * or, for live input without one, until no event has come for {@code idleTimeout}; then cuts the
 * piece into bar-aligned piano-roll phrases ({@link PianoRolls#phrases}) and clears the piece's
 * state and timer. A piece whose marker counts more events than arrived is still used, and reported
 * on the dead-letter topic.
 */
public final class AssemblePhrases extends KeyedProcessFunction<String, MidiEventRecord, Phrase> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AssemblePhrases.class);

    /** Reports about pieces (incomplete, unusable). */
    public static final OutputTag<OutRecord> REPORTS = new OutputTag<>("piece-reports") {};

    public static final String INCOMPLETE_PIECE = "incomplete_piece";
    public static final String INVALID_PIECE = "invalid_piece";
    public static final String NO_PHRASES = "no_phrases";

    private final String prefix;
    private final String job;
    private final RollSpec spec;
    private final long idleTimeoutMillis;

    private transient ListState<byte[]> events;
    private transient ValueState<Long> timer;
    private transient Counter pieces;
    private transient Counter phrases;

    public AssemblePhrases(Topics topics, String job, RollSpec spec, Duration idleTimeout) {
        this.prefix = topics.prefix();
        this.job = job;
        this.spec = spec;
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        events =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("piece-events", byte[].class));
        timer =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("piece-idle-timer", Types.LONG));
        var group = getRuntimeContext().getMetricGroup().addGroup("belamy");
        pieces = group.counter("piecesAssembled");
        phrases = group.counter("phrasesCut");
    }

    @Override
    public void processElement(MidiEventRecord e, Context ctx, Collector<Phrase> out)
            throws Exception {
        if (e.type().equals(MidiEventRecord.END)) {
            assemble(ctx.getCurrentKey(), e, out, ctx);
            return;
        }
        events.add(MidiEventRecord.CODEC.encode(e));
        Long previous = timer.value();
        if (previous != null) {
            ctx.timerService().deleteProcessingTimeTimer(previous);
        }
        long at = ctx.timerService().currentProcessingTime() + idleTimeoutMillis;
        ctx.timerService().registerProcessingTimeTimer(at);
        timer.update(at);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Phrase> out)
            throws Exception {
        assemble(ctx.getCurrentKey(), null, out, ctx);
    }

    private void assemble(String key, MidiEventRecord end, Collector<Phrase> out, Context ctx)
            throws Exception {
        List<MidiEventRecord> records = new ArrayList<>();
        for (byte[] b : events.get()) {
            records.add(MidiEventRecord.CODEC.decode(b));
        }
        Long t = timer.value();
        if (t != null) {
            ctx.timerService().deleteProcessingTimeTimer(t);
        }
        events.clear();
        timer.clear();
        if (end != null) {
            records.add(end);
            if (end.eventCount() != records.size() - 1) {
                report(
                        ctx,
                        key,
                        INCOMPLETE_PIECE,
                        "piece "
                                + key
                                + ": the end marker counts "
                                + end.eventCount()
                                + " events, "
                                + (records.size() - 1)
                                + " arrived; using those");
            }
        }
        if (records.isEmpty()) {
            return;
        }
        PianoRolls.Phrases cut;
        try {
            cut = PianoRolls.phrases(MidiEvents.toPiece(records), spec);
        } catch (IllegalArgumentException e) {
            report(ctx, key, INVALID_PIECE, "piece " + key + ": " + e.getMessage());
            return;
        }
        List<PianoRoll> rolls = cut.rolls();
        if (rolls.isEmpty()) {
            report(
                    ctx,
                    key,
                    NO_PHRASES,
                    "piece "
                            + key
                            + ": no complete "
                            + spec.bars()
                            + "-bar 4/4 phrase with notes in pitch range ("
                            + cut.barsNotIn44()
                            + " bars not in 4/4, "
                            + cut.notesOutOfRange()
                            + " notes out of range)");
        }
        for (int i = 0; i < rolls.size(); i++) {
            out.collect(new Phrase(key, i, rolls.get(i).toBits()));
        }
        pieces.inc();
        phrases.inc(rolls.size());
        LOG.info(
                "piece {}: {} events, {} phrases{}",
                key,
                records.size(),
                rolls.size(),
                end == null ? " (idle timeout, no end marker)" : "");
    }

    private void report(Context ctx, String key, String code, String message) {
        Topics topics = new Topics(prefix);
        DeadLetter letter =
                DeadLetter.of(
                        new DeadLetter.Source(topics.corpusMidi().name(), -1, -1, key),
                        job,
                        code,
                        message,
                        new byte[0],
                        System.currentTimeMillis());
        ctx.output(REPORTS, OutRecord.of(topics.dlq(), key, letter));
    }
}

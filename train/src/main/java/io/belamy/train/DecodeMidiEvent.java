package io.belamy.train;

import io.belamy.core.music.MidiEvents;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.MidiEventRecord;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes MIDI event records; undecodable ones and notes with values out of range go to the
 * dead-letter side output, and training goes on.
 */
public final class DecodeMidiEvent extends ProcessFunction<RawRecord, MidiEventRecord> {

    private static final long serialVersionUID = 1L;

    /** Dead letters. */
    public static final OutputTag<OutRecord> REJECTED = new OutputTag<>("rejected-midi-events") {};

    private final String prefix;
    private final String job;

    public DecodeMidiEvent(Topics topics, String job) {
        this.prefix = topics.prefix();
        this.job = job;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<MidiEventRecord> out) {
        try {
            MidiEventRecord e = MidiEventRecord.CODEC.decode(record.value());
            if (e.type().equals(MidiEventRecord.NOTE)) {
                MidiEvents.toNote(e); // values in range
            }
            out.collect(e);
        } catch (InvalidRecordException e) {
            ctx.output(
                    REJECTED,
                    DeadLetters.of(new Topics(prefix), job, record, e.code(), e.getMessage()));
        } catch (IllegalArgumentException e) {
            ctx.output(
                    REJECTED,
                    DeadLetters.of(
                            new Topics(prefix),
                            job,
                            record,
                            InvalidRecordException.INVALID_FIELD,
                            e.getMessage()));
        }
    }
}

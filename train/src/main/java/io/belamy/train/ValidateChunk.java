package io.belamy.train;

import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes corpus chunks; undecodable ones and chunks with no text go to the dead-letter side
 * output, and training goes on.
 */
public final class ValidateChunk extends ProcessFunction<RawRecord, CorpusChunk> {

    private static final long serialVersionUID = 1L;

    /** Dead letters. */
    public static final OutputTag<OutRecord> REJECTED = new OutputTag<>("rejected-chunks") {};

    /** Code of a chunk whose text is empty or only whitespace. */
    public static final String EMPTY_TEXT = "empty_text";

    private final String prefix;
    private final String job;

    public ValidateChunk(Topics topics, String job) {
        this.prefix = topics.prefix();
        this.job = job;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<CorpusChunk> out) {
        try {
            CorpusChunk chunk = CorpusChunk.CODEC.decode(record.value());
            if (chunk.text().isBlank()) {
                ctx.output(
                        REJECTED,
                        DeadLetters.of(
                                new Topics(prefix),
                                job,
                                record,
                                EMPTY_TEXT,
                                "corpus chunk "
                                        + chunk.document()
                                        + "#"
                                        + chunk.seq()
                                        + " has no text"));
                return;
            }
            out.collect(chunk);
        } catch (InvalidRecordException e) {
            ctx.output(
                    REJECTED,
                    DeadLetters.of(new Topics(prefix), job, record, e.code(), e.getMessage()));
        }
    }
}

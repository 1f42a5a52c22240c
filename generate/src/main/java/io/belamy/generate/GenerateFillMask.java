package io.belamy.generate;

import io.belamy.core.bert.BertModel;
import io.belamy.core.bert.FillMask;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.ReplyParts;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers fill-mask prompts with the served BERT: one final record (on {@code generated.text}) with
 * the filled text ({@code [MASK]}s filled left to right, each seeing the ones before filled) and,
 * in {@code masks}, each mask's top-k candidates with their probabilities. {@code finishReason} is
 * {@code filled}. A text the model cannot take gets an error reply and a dead letter.
 */
public final class GenerateFillMask extends ProcessFunction<ValidPrompt, OutRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GenerateFillMask.class);

    /** Candidates per mask when the prompt gives no {@code topK}, as Hugging Face's pipeline. */
    public static final int DEFAULT_TOP_K = 5;

    public static final int MAX_TOP_K = 100;

    /** The finish reason of a fill-mask reply. */
    public static final String FILLED = "filled";

    private final String prefix;
    private final ServedModel served;

    private transient BertModel model;
    private transient FillMask fillMask;
    private transient Topics topics;

    public GenerateFillMask(Topics topics, ServedModel served) {
        this.prefix = topics.prefix();
        this.served = served;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        topics = new Topics(prefix);
        model = BertModel.load(ModelStore.localCopy(served.dir()));
        fillMask = new FillMask(model);
        LOG.info(
                "serving fill-mask model {} version {} from {}",
                served.name(),
                served.version(),
                served.dir());
    }

    @Override
    public void processElement(ValidPrompt request, Context ctx, Collector<OutRecord> out) {
        PromptRecord prompt = request.prompt();
        String id = prompt.id();
        long received = request.source().timestamp();
        long started = System.currentTimeMillis();
        Integer k = prompt.params().topK();
        try {
            FillMask.Result r = fillMask.fill(prompt.prompt(), k == null ? DEFAULT_TOP_K : k);
            long end = System.currentTimeMillis();
            List<ReplyParts.MaskFill> masks = new ArrayList<>();
            for (FillMask.Mask m : r.masks()) {
                List<ReplyParts.Candidate> candidates = new ArrayList<>();
                m.candidates().forEach(c -> candidates.add(candidate(c)));
                masks.add(new ReplyParts.MaskFill(m.position(), candidate(m.filled()), candidates));
            }
            long total = Math.max(0, end - received);
            out.collect(
                    OutRecord.of(
                            topics.generatedText(),
                            id,
                            new TextReply.Result(
                                    TextReply.VERSION,
                                    id,
                                    0,
                                    r.text(),
                                    FILLED,
                                    new ReplyParts.Usage(
                                            model.tokenizer().encode(prompt.prompt()).length,
                                            masks.size()),
                                    new ReplyParts.ModelRef(served.name(), served.version()),
                                    new ReplyParts.Timings(
                                            Math.max(0, started - received), total, total),
                                    null,
                                    masks)));
        } catch (IllegalArgumentException e) {
            String code =
                    e.getMessage().contains("positions")
                            ? ErrorCodes.PROMPT_TOO_LONG
                            : ErrorCodes.INVALID_PARAMS;
            fail(out, request, code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("fill-mask failed for request {}", id, e);
            fail(out, request, ErrorCodes.INTERNAL, e.getClass().getSimpleName() + ": " + e);
        }
    }

    private static ReplyParts.Candidate candidate(FillMask.Candidate c) {
        return new ReplyParts.Candidate(c.tokenId(), c.token(), c.score());
    }

    private void fail(Collector<OutRecord> out, ValidPrompt request, String code, String message) {
        String id = request.prompt().id();
        out.collect(
                OutRecord.of(
                        topics.generatedText(), id, new TextReply.Error(id, 0, code, message)));
        out.collect(DeadLetters.of(topics, GenerateJob.NAME, request.source(), code, message));
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }
}

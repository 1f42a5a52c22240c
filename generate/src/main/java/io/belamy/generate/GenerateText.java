package io.belamy.generate;

import io.belamy.core.generation.Generation;
import io.belamy.core.generation.TextGenerator;
import io.belamy.core.gpt.GptModel;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.ReplyParts;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generates the continuation of each prompt with the served model, emitting a chunk record per
 * piece of text as it is produced ({@code seq} 0, 1, 2 ...), then the final record. A prompt the
 * model cannot take (too long, for one) or a failure of the model yields an error reply and a dead
 * letter; the job goes on.
 */
public final class GenerateText extends ProcessFunction<ValidPrompt, OutRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GenerateText.class);

    private final String prefix;
    private final ServedModel served;

    private transient GptModel model;
    private transient TextGenerator generator;
    private transient Topics topics;

    public GenerateText(Topics topics, ServedModel served) {
        this.prefix = topics.prefix();
        this.served = served;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        topics = new Topics(prefix);
        model = GptModel.load(Path.of(served.dir()));
        generator = new TextGenerator(model);
        LOG.info(
                "serving model {} version {} from {} ({} layers, context {})",
                served.name(),
                served.version(),
                served.dir(),
                model.config().layers(),
                model.config().contextLength());
    }

    @Override
    public void processElement(ValidPrompt request, Context ctx, Collector<OutRecord> out) {
        PromptRecord prompt = request.prompt();
        String id = prompt.id();
        long received = request.source().timestamp();
        long started = System.currentTimeMillis();
        int[] seq = {0};
        long[] firstPiece = {0};
        try {
            Generation g =
                    generator.generate(
                            prompt.prompt(),
                            request.params(),
                            piece -> {
                                if (seq[0] == 0) {
                                    firstPiece[0] = System.currentTimeMillis();
                                }
                                out.collect(
                                        OutRecord.of(
                                                topics.generatedText(),
                                                id,
                                                new TextReply.Chunk(id, seq[0]++, piece)));
                            });
            long end = System.currentTimeMillis();
            long firstToken = firstPiece[0] != 0 ? firstPiece[0] : end;
            TextReply.Result result =
                    new TextReply.Result(
                            TextReply.VERSION,
                            id,
                            seq[0],
                            g.text(),
                            g.finishReason().wireName(),
                            new ReplyParts.Usage(g.promptTokenIds().length, g.tokenIds().length),
                            new ReplyParts.ModelRef(served.name(), served.version()),
                            new ReplyParts.Timings(
                                    Math.max(0, started - received),
                                    Math.max(0, firstToken - received),
                                    Math.max(0, end - received)),
                            g.seed());
            out.collect(OutRecord.of(topics.generatedText(), id, result));
        } catch (IllegalArgumentException e) {
            fail(out, request, seq[0], ErrorCodes.PROMPT_TOO_LONG, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("generation failed for request {}", id, e);
            fail(
                    out,
                    request,
                    seq[0],
                    ErrorCodes.INTERNAL,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void fail(
            Collector<OutRecord> out, ValidPrompt request, int seq, String code, String message) {
        String id = request.prompt().id();
        out.collect(
                OutRecord.of(
                        topics.generatedText(), id, new TextReply.Error(id, seq, code, message)));
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

package io.belamy.generate;

import io.belamy.core.music.gan.MuseGan;
import io.belamy.core.music.gan.MusicGenerator;
import io.belamy.core.store.ModelStore;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.ReplyParts;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import java.util.Base64;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers music prompts with the served music GAN: one record on {@code <prefix>generated.music}
 * with the Standard MIDI File (base64), its summary (bars, tracks, notes) and its MuseGAN metrics.
 * A request the model cannot take (a track it lacks) or a failure yields an error reply and a dead
 * letter; the job goes on.
 */
public final class GenerateMusic extends ProcessFunction<ValidPrompt, OutRecord> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(GenerateMusic.class);

    private final String prefix;
    private final ServedModel served;

    private transient MuseGan model;
    private transient Topics topics;

    public GenerateMusic(Topics topics, ServedModel served) {
        this.prefix = topics.prefix();
        this.served = served;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        topics = new Topics(prefix);
        model = MuseGan.load(ModelStore.localCopy(served.dir()));
        LOG.info(
                "serving music model {} version {} from {} ({} tracks, {} bars per phrase)",
                served.name(),
                served.version(),
                served.dir(),
                model.config().tracks(),
                model.config().roll().bars());
    }

    @Override
    public void processElement(ValidPrompt request, Context ctx, Collector<OutRecord> out) {
        PromptRecord prompt = request.prompt();
        String id = prompt.id();
        long received = request.source().timestamp();
        long started = System.currentTimeMillis();
        MusicGenerator.Request music = request.music();
        try {
            MusicGenerator.Result r = MusicGenerator.generate(model, music);
            long end = System.currentTimeMillis();
            MusicReply.Result reply =
                    new MusicReply.Result(
                            MusicReply.VERSION,
                            id,
                            Base64.getEncoder().encodeToString(r.midi()),
                            new MusicReply.Summary(
                                    music.bars(), r.roll().spec().tracks().size(), r.notes()),
                            r.metrics(),
                            new ReplyParts.ModelRef(served.name(), served.version()),
                            new ReplyParts.Timings(
                                    Math.max(0, started - received),
                                    Math.max(0, end - received),
                                    Math.max(0, end - received)),
                            music.seed());
            out.collect(OutRecord.of(topics.generatedMusic(), id, reply));
        } catch (IllegalArgumentException e) {
            fail(out, request, ErrorCodes.INVALID_PARAMS, "invalid params: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("music generation failed for request {}", id, e);
            fail(
                    out,
                    request,
                    ErrorCodes.INTERNAL,
                    e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void fail(Collector<OutRecord> out, ValidPrompt request, String code, String message) {
        String id = request.prompt().id();
        out.collect(
                OutRecord.of(topics.generatedMusic(), id, new MusicReply.Error(id, code, message)));
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

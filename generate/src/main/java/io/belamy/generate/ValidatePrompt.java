package io.belamy.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.belamy.core.generation.SamplingParams;
import io.belamy.core.music.gan.MusicGenerator;
import io.belamy.core.topic.InvalidRecordException;
import io.belamy.core.topic.MusicReply;
import io.belamy.core.topic.PromptParams;
import io.belamy.core.topic.PromptRecord;
import io.belamy.core.topic.TextReply;
import io.belamy.core.topic.Topics;
import io.belamy.streaming.DeadLetters;
import io.belamy.streaming.OutRecord;
import io.belamy.streaming.RawRecord;
import java.util.Set;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes and checks prompts. Valid text prompts go on; every invalid one yields an error reply for
 * its id (when the id can be read, from the value or else the record key) and a dead letter, on the
 * {@link #REJECTED} side output. Nothing here throws on bad input.
 */
public final class ValidatePrompt extends ProcessFunction<RawRecord, ValidPrompt> {

    private static final long serialVersionUID = 1L;

    /** Error replies and dead letters. */
    public static final OutputTag<OutRecord> REJECTED = new OutputTag<>("rejected") {};

    private static final Set<String> TASKS =
            Set.of(PromptRecord.TEXT, PromptRecord.FILL_MASK, PromptRecord.MUSIC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String prefix;
    private final ServedModel model;

    public ValidatePrompt(Topics topics, ServedModel model) {
        this.prefix = topics.prefix();
        this.model = model;
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<ValidPrompt> out) {
        Topics topics = new Topics(prefix);
        JsonNode tree = readTree(record.value());
        String id = readableId(tree, record);
        String task =
                tree != null && tree.path("task").isTextual()
                        ? tree.get("task").asText()
                        : PromptRecord.TEXT;
        try {
            PromptRecord prompt = PromptRecord.CODEC.decode(record.value());
            checkTaskAndModel(prompt);
            if (prompt.task().equals(PromptRecord.MUSIC)) {
                out.collect(new ValidPrompt(prompt, null, musicRequest(prompt), record));
            } else if (prompt.task().equals(PromptRecord.FILL_MASK)) {
                checkFillMask(prompt);
                out.collect(new ValidPrompt(prompt, null, null, record));
            } else {
                out.collect(new ValidPrompt(prompt, samplingParams(prompt), null, record));
            }
        } catch (Rejection r) {
            reject(ctx, topics, record, id, task, r.code, r.getMessage());
        } catch (InvalidRecordException e) {
            reject(ctx, topics, record, id, task, e.code(), e.getMessage());
        }
    }

    /** Checks that the served model answers the prompt's task, name and version. */
    private void checkTaskAndModel(PromptRecord prompt) {
        if (!TASKS.contains(prompt.task())) {
            throw new Rejection(
                    ErrorCodes.UNKNOWN_TASK,
                    "unknown task \"" + prompt.task() + "\" (tasks: text, fill-mask, music)");
        }
        if (!prompt.task().equals(model.task())) {
            throw new Rejection(
                    ErrorCodes.UNSUPPORTED_TASK,
                    "task \""
                            + prompt.task()
                            + "\" is not served by this job (model \""
                            + model.name()
                            + "\" serves "
                            + model.task()
                            + ")");
        }
        if (prompt.model() != null && !prompt.model().equals(model.name())) {
            throw new Rejection(
                    ErrorCodes.UNKNOWN_MODEL,
                    "unknown model \"" + prompt.model() + "\" (served: \"" + model.name() + "\")");
        }
        // text models are hot-swapped: GenerateText knows their versions
        if (prompt.modelVersion() != null
                && !model.task().equals(PromptRecord.TEXT)
                && prompt.modelVersion() != model.version()) {
            throw new Rejection(
                    ErrorCodes.UNKNOWN_MODEL_VERSION,
                    "model \""
                            + model.name()
                            + "\" has no version "
                            + prompt.modelVersion()
                            + " (served: "
                            + model.version()
                            + ")");
        }
    }

    private static SamplingParams samplingParams(PromptRecord prompt) {
        try {
            return prompt.params().toSamplingParams();
        } catch (IllegalArgumentException e) {
            throw new Rejection(ErrorCodes.INVALID_PARAMS, "invalid params: " + e.getMessage());
        }
    }

    /** A fill-mask prompt needs text with a [MASK] and at most top-k 1 to 100. */
    private static void checkFillMask(PromptRecord prompt) {
        if (prompt.prompt() == null || !prompt.prompt().contains("[MASK]")) {
            throw new Rejection(
                    ErrorCodes.INVALID_PARAMS, "a fill-mask prompt needs text with [MASK] in it");
        }
        Integer k = prompt.params().topK();
        if (k != null && (k < 1 || k > GenerateFillMask.MAX_TOP_K)) {
            throw new Rejection(
                    ErrorCodes.INVALID_PARAMS,
                    "invalid params: topK must be in [1, "
                            + GenerateFillMask.MAX_TOP_K
                            + "] for fill-mask, got "
                            + k);
        }
    }

    /**
     * A music prompt's request: 4 bars at 120 bpm and every track unless given; without a seed, a
     * random one (the reply reports it).
     */
    private static MusicGenerator.Request musicRequest(PromptRecord prompt) {
        PromptParams p = prompt.params();
        try {
            return new MusicGenerator.Request(
                    p.bars() == null ? 4 : p.bars(),
                    p.tempo() == null ? 120 : p.tempo(),
                    p.tracks(),
                    p.seed() == null
                            ? java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 53)
                            : p.seed());
        } catch (IllegalArgumentException e) {
            throw new Rejection(ErrorCodes.INVALID_PARAMS, "invalid params: " + e.getMessage());
        }
    }

    private void reject(
            Context ctx,
            Topics topics,
            RawRecord record,
            String id,
            String task,
            String code,
            String message) {
        if (id != null) {
            ctx.output(REJECTED, errorReply(topics, id, task, code, message));
        }
        ctx.output(REJECTED, DeadLetters.of(topics, GenerateJob.NAME, record, code, message));
    }

    /** An error reply on the topic where the task's answers go. */
    static OutRecord errorReply(
            Topics topics, String id, String task, String code, String message) {
        if (PromptRecord.MUSIC.equals(task)) {
            return OutRecord.of(
                    topics.generatedMusic(), id, new MusicReply.Error(id, code, message));
        }
        return OutRecord.of(topics.generatedText(), id, new TextReply.Error(id, 0, code, message));
    }

    private static JsonNode readTree(byte[] value) {
        if (value == null) {
            return null;
        }
        try {
            JsonNode tree = JSON.readTree(value);
            return tree != null && tree.isObject() ? tree : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The request id from the value, else the record key, else null. */
    private static String readableId(JsonNode tree, RawRecord record) {
        if (tree != null && tree.path("id").isTextual() && !tree.get("id").asText().isEmpty()) {
            return tree.get("id").asText();
        }
        String key = record.keyString();
        return key == null || key.isEmpty() ? null : key;
    }

    /** A prompt that decodes but cannot be served. */
    private static final class Rejection extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String code;

        Rejection(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }
}

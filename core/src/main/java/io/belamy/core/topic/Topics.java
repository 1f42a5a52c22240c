package io.belamy.core.topic;

import java.util.List;
import java.util.regex.Pattern;

/**
 * belamy's topics under one name prefix (default {@code belamy.}).
 *
 * <pre>{@code
 * Topics topics = new Topics("belamy.");
 * topics.prompts().name(); // "belamy.prompts"
 * }</pre>
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "belamy.";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]*");
    private static final int MAX_TOPIC_NAME = 249;

    private final String prefix;

    /**
     * @param prefix prepended to every topic name; letters, digits, '.', '_' and '-' only
     * @throws IllegalArgumentException naming the prefix when Kafka would refuse the names
     */
    public Topics(String prefix) {
        if (prefix == null || !LEGAL.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "topic prefix \""
                            + prefix
                            + "\" may only contain letters, digits, '.', '_' and '-'");
        }
        if (prefix.length() + "generated.music".length() > MAX_TOPIC_NAME) {
            throw new IllegalArgumentException("topic prefix \"" + prefix + "\" is too long");
        }
        this.prefix = prefix;
    }

    /** Topics with the default prefix {@code belamy.}. */
    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    /** Text documents in chunks; key = document id. */
    public Topic<CorpusChunk> corpusText() {
        return new Topic<>(prefix + "corpus.text", CorpusChunk.CODEC);
    }

    /** Which documents each corpus holds, by content hash (compacted); key = corpus/sha256. */
    public Topic<CorpusIndexRecord> corpusIndex() {
        return new Topic<>(prefix + "corpus.index", CorpusIndexRecord.CODEC);
    }

    /** MIDI events, one record each; key = piece id. */
    public Topic<MidiEventRecord> corpusMidi() {
        return new Topic<>(prefix + "corpus.midi", MidiEventRecord.CODEC);
    }

    /** Generation requests; key = request id. */
    public Topic<PromptRecord> prompts() {
        return new Topic<>(prefix + "prompts", PromptRecord.CODEC);
    }

    /** Streamed text replies; key = request id. */
    public Topic<TextReply> generatedText() {
        return new Topic<>(prefix + "generated.text", TextReply.CODEC);
    }

    /** Music replies (a Standard MIDI File each); key = request id. */
    public Topic<MusicReply> generatedMusic() {
        return new Topic<>(prefix + "generated.music", MusicReply.CODEC);
    }

    /** Model versions (compacted); key = model name. */
    public Topic<ModelVersionRecord> models() {
        return new Topic<>(prefix + "models", ModelVersionRecord.CODEC);
    }

    /** Records no job could process, with the reason. */
    public Topic<DeadLetter> dlq() {
        return new Topic<>(prefix + "dlq", DeadLetter.CODEC);
    }

    /** Every topic name, in data-flow order. */
    public List<String> names() {
        return List.of(
                corpusText().name(),
                corpusIndex().name(),
                corpusMidi().name(),
                prompts().name(),
                generatedText().name(),
                generatedMusic().name(),
                models().name(),
                dlq().name());
    }

    /** Whether a topic holds only the latest value per key (Kafka log compaction). */
    public boolean isCompacted(String topic) {
        return topic.equals(models().name()) || topic.equals(corpusIndex().name());
    }
}

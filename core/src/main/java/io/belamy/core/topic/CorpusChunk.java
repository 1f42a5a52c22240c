package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A chunk of a text document on {@code <prefix>corpus.text} (key = document id).
 *
 * <pre>{@code
 * {"v":1,"corpus":"austen","document":"emma.txt","seq":0,"text":"EMMA WOODHOUSE, ...","last":false}
 * }</pre>
 *
 * @param corpus name of the corpus the document belongs to
 * @param document document id, unique within the corpus
 * @param seq position of the chunk in the document, from 0
 * @param text the chunk, at most {@link #MAX_TEXT_BYTES} bytes of UTF-8
 * @param last whether this is the document's final chunk
 */
@JsonPropertyOrder({"v", "corpus", "document", "seq", "text", "last"})
public record CorpusChunk(
        Integer v, String corpus, String document, int seq, String text, boolean last) {

    public static final int VERSION = 1;
    public static final JsonCodec<CorpusChunk> CODEC =
            JsonCodec.of(CorpusChunk.class, "corpus chunk");

    /** Largest chunk, in UTF-8 bytes. */
    public static final int MAX_TEXT_BYTES = 64 * 1024;

    public CorpusChunk {
        v = InvalidRecordException.version(v, VERSION, "corpus chunk");
        InvalidRecordException.requireText(corpus, "corpus");
        InvalidRecordException.requireText(document, "document");
        InvalidRecordException.require(text, "text");
        if (seq < 0) {
            throw new InvalidRecordException(
                    InvalidRecordException.INVALID_FIELD, "field \"seq\" must be >= 0, got " + seq);
        }
    }
}

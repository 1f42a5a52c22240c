package io.belamy.core.topic;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The ledger of ingested documents on the compacted {@code <prefix>corpus.index} topic (key =
 * {@code corpus/sha256}): written in the same Kafka transaction as the document's chunks, so a
 * document is either fully in the corpus and recorded here, or neither. Ingest skips a file whose
 * content hash is already recorded for the corpus.
 *
 * <pre>{@code
 * {"v":1,"corpus":"austen","document":"persuasion.txt","sha256":"9f2c...","bytes":466854,
 *  "chunks":8,"ingestedAt":1795000000000}
 * }</pre>
 */
@JsonPropertyOrder({"v", "corpus", "document", "sha256", "bytes", "chunks", "ingestedAt"})
public record CorpusIndexRecord(
        Integer v,
        String corpus,
        String document,
        String sha256,
        long bytes,
        int chunks,
        long ingestedAt) {

    public static final int VERSION = 1;
    public static final JsonCodec<CorpusIndexRecord> CODEC =
            JsonCodec.of(CorpusIndexRecord.class, "corpus index");

    public CorpusIndexRecord {
        v = InvalidRecordException.version(v, VERSION, "corpus index");
        InvalidRecordException.requireText(corpus, "corpus");
        InvalidRecordException.requireText(document, "document");
        InvalidRecordException.requireText(sha256, "sha256");
    }

    /** The record key: {@code corpus/sha256}. */
    public String key() {
        return corpus + "/" + sha256;
    }
}

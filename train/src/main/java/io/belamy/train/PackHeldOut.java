package io.belamy.train;

import io.belamy.core.bert.BertModel;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.train.CausalPacker;
import io.belamy.core.train.MaskedPacker;
import io.belamy.core.train.PackedSequence;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Packs the held-out share of the corpus (see {@link TokenizeAndPack#heldOut}) for evaluation, each
 * chunk on its own. It reads the corpus through a source of its own, so held-out text reaches the
 * trainer as soon as it is ingested, not behind the training backlog; other chunks are dropped.
 * Stateless.
 */
public final class PackHeldOut extends ProcessFunction<CorpusChunk, TrainingInput> {

    private static final long serialVersionUID = 1L;

    private final ModelSource source;
    private final int sequenceLength;
    private final double heldOutFraction;

    private transient TextTokenizer tokenizer;
    private transient MaskedPacker masked;
    private transient int eos;

    public PackHeldOut(ModelSource source, int sequenceLength, double heldOutFraction) {
        this.source = source;
        this.sequenceLength = sequenceLength;
        this.heldOutFraction = heldOutFraction;
    }

    @Override
    public void open(OpenContext context) throws Exception {
        tokenizer = source.tokenizer();
        eos = tokenizer.tokenId("<|endoftext|>");
        if (source.kind().equals(BertModel.KIND)) {
            masked =
                    new MaskedPacker(
                            sequenceLength,
                            tokenizer.tokenId("[CLS]"),
                            tokenizer.tokenId("[SEP]"),
                            Math.max(0, tokenizer.tokenId("[PAD]")));
        }
    }

    @Override
    public void processElement(CorpusChunk chunk, Context ctx, Collector<TrainingInput> out) {
        if (!TokenizeAndPack.heldOut(chunk, heldOutFraction)) {
            return;
        }
        int[] ids = tokenizer.encode(chunk.text());
        for (PackedSequence s :
                masked != null
                        ? masked.add(ids)
                        : new CausalPacker(sequenceLength, eos).add(ids, true)) {
            out.collect(
                    new TrainingInput(s.tokens(), s.realLength(), s.trainTokens(), true, 0, 0, 0));
        }
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}

package io.belamy.train;

import io.belamy.core.bert.BertModel;
import io.belamy.core.tokenizer.TextTokenizer;
import io.belamy.core.topic.CorpusChunk;
import io.belamy.core.train.CausalPacker;
import io.belamy.core.train.MaskedPacker;
import io.belamy.core.train.PackedSequence;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Tokenizes corpus chunks with the model's tokenizer and packs them into training sequences (GPT:
 * windows joined by end-of-text; BERT: [CLS] piece [SEP] padded). A deterministic share of chunks,
 * by hash of corpus, document and chunk number, is held out for evaluation and skipped here ({@link
 * PackHeldOut} packs it on a path of its own). Tokens that do not fill a window yet stay in
 * operator state. After each chunk a progress marker carries the counters. Runs with parallelism 1:
 * it feeds one model.
 */
public final class TokenizeAndPack extends ProcessFunction<CorpusChunk, TrainingInput>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(TokenizeAndPack.class);

    private final ModelSource source;
    private final int sequenceLength;
    private final double heldOutFraction;

    private transient TextTokenizer tokenizer;
    private transient int eos;
    private transient CausalPacker causal;
    private transient MaskedPacker masked;
    private transient ListState<long[]> pendingState;
    private transient ListState<Long> countersState;
    private transient long[] restoredPending;
    private transient long tokensSeen;
    private transient long chunks;

    /**
     * @param heldOutFraction share of chunks held out, in [0, 1)
     */
    public TokenizeAndPack(ModelSource source, int sequenceLength, double heldOutFraction) {
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
        } else {
            causal = new CausalPacker(sequenceLength, eos);
            if (restoredPending != null && restoredPending.length > 0) {
                causal.restore(restoredPending);
                LOG.info(
                        "packer restored: {} tokens seen, {} chunks, {} pending",
                        tokensSeen,
                        chunks,
                        causal.pendingTokens());
            }
        }
    }

    @Override
    public void processElement(CorpusChunk chunk, Context ctx, Collector<TrainingInput> out) {
        chunks++;
        int[] ids = tokenizer.encode(chunk.text());
        if (heldOut(chunk, heldOutFraction)) {
            // evaluation text: read and packed on its own path (PackHeldOut), never trained on
        } else {
            // Counters travel with every record, as they stand right after it: after the j-th
            // window of this chunk, tokens seen = before - pending before + targets so far, and
            // nothing is pending (a window is cut as soon as it fills). The marker after the
            // chunk then carries the chunk's end state. So trained + pending = seen at any record.
            long seenBefore = tokensSeen;
            long pendingBefore = pending();
            List<PackedSequence> seqs;
            if (masked != null) {
                seqs = masked.add(ids);
            } else {
                seqs = causal.add(ids, chunk.last());
            }
            long targets = 0;
            for (PackedSequence seq : seqs) {
                targets += seq.trainTokens();
                out.collect(
                        new TrainingInput(
                                seq.tokens(),
                                seq.realLength(),
                                seq.trainTokens(),
                                false,
                                seenBefore - pendingBefore + targets,
                                0,
                                chunks));
            }
            // every new target-eligible token is now either a target or pending
            long added =
                    masked != null ? targets : causal.pendingTokens() - pendingBefore + targets;
            tokensSeen = seenBefore + added;
        }
        out.collect(new TrainingInput(null, 0, 0, false, tokensSeen, pending(), chunks));
    }

    private long pending() {
        return causal != null ? causal.pendingTokens() : 0;
    }

    /** Whether a chunk belongs to the held-out share (stable across runs and machines). */
    public static boolean heldOut(CorpusChunk chunk, double fraction) {
        if (fraction <= 0) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(
                (chunk.corpus() + "\u0000" + chunk.document() + "\u0000" + chunk.seq())
                        .getBytes(StandardCharsets.UTF_8));
        return (crc.getValue() % 10_000) < fraction * 10_000;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        pendingState.update(List.of(causal != null ? causal.pending() : new long[0]));
        countersState.update(List.of(tokensSeen, chunks));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        pendingState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("packer-pending", long[].class));
        countersState =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("packer-counters", Types.LONG));
        if (context.isRestored()) {
            for (long[] p : pendingState.get()) {
                restoredPending = p;
            }
            List<Long> counters = new ArrayList<>();
            countersState.get().forEach(counters::add);
            if (counters.size() == 2) {
                tokensSeen = counters.get(0);
                chunks = counters.get(1);
            }
        }
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}

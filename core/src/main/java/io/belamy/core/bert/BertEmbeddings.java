package io.belamy.core.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.belamy.core.nn.Embedding;
import io.belamy.core.nn.LayerNorm;
import java.util.function.Supplier;

/**
 * BERT's input embeddings ({@code BertEmbeddings}): word + learned position + token type, then
 * LayerNorm and dropout.
 *
 * <p>Shapes: ids and type ids (B, T) int64 -&gt; (B, T, C).
 */
public final class BertEmbeddings extends AbstractBlock {

    private final int hiddenSize;
    private final float dropout;
    private final Embedding word;
    private final Embedding position;
    private final Embedding tokenType;
    private final LayerNorm norm;

    BertEmbeddings(BertConfig config, Supplier<Initializer> init) {
        int c = config.hiddenSize();
        this.hiddenSize = c;
        this.dropout = config.dropout();
        this.word =
                addChildBlock("word_embeddings", new Embedding(config.vocabSize(), c, init.get()));
        this.position =
                addChildBlock(
                        "position_embeddings", new Embedding(config.maxPositions(), c, init.get()));
        this.tokenType =
                addChildBlock(
                        "token_type_embeddings",
                        new Embedding(config.typeVocabSize(), c, init.get()));
        this.norm = addChildBlock("LayerNorm", new LayerNorm(c, config.layerNormEpsilon()));
    }

    /**
     * @param ids (B, T)
     * @param typeIds (B, T), or null for all type 0
     */
    NDArray forward(ParameterStore ps, NDArray ids, NDArray typeIds, boolean training) {
        NDManager m = ids.getManager();
        long t = ids.getShape().get(1);
        NDArray positions = m.arange(0, (int) t, 1, DataType.INT64); // (T)
        NDArray types = typeIds != null ? typeIds : m.zeros(ids.getShape(), DataType.INT64);
        NDArray x =
                word.apply(ps, ids, training)
                        .add(position.apply(ps, positions, training))
                        .add(tokenType.apply(ps, types, training)); // (B, T, C)
        x = norm.apply(ps, x, training);
        return training && dropout > 0 ? Dropout.dropout(x, dropout, true).singletonOrThrow() : x;
    }

    /** The word embedding table (V, C), which the MLM head's decoder is tied to. */
    NDArray wordTable(ParameterStore ps, NDArray like, boolean training) {
        return word.table(ps, like, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(
                forward(ps, inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, training));
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        word.initialize(manager, dataType, inputShapes);
        position.initialize(manager, dataType, inputShapes);
        tokenType.initialize(manager, dataType, inputShapes);
        norm.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {
            inputShapes[0].add(word.getOutputShapes(new Shape[] {new Shape(1)})[0].tail())
        };
    }
}

package io.belamy.core.gpt;

import ai.djl.ndarray.NDArray;

/** Where a layer's attention keeps the keys and values of positions, for later ones to see. */
interface AttentionCache {

    /**
     * Stores one layer's keys and values of the new positions, (B, H, T, C/H) each, and returns the
     * keys and values to attend to, (B, H, S, C/H), attached to the manager of {@code k}.
     */
    NDArray[] append(int layer, NDArray k, NDArray v);
}

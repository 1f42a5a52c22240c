package io.belamy.core;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Entry point to DJL's PyTorch engine for belamy: offline (libtorch comes from the {@code
 * pytorch-native-cpu} jar, nothing is downloaded, no telemetry), on the CPU.
 */
public final class Djl {

    /** The engine belamy runs on. */
    public static final String ENGINE = "PyTorch";

    private Djl() {}

    /**
     * A new root manager on the CPU. Unless {@code ai.djl.offline} was set explicitly, it is set to
     * {@code true} before the engine first loads.
     */
    public static NDManager newManager() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(ENGINE).newBaseManager(Device.cpu());
    }

    /**
     * Sets PyTorch's intra-op thread count (what {@code torch.set_num_threads} sets), loading the
     * engine first if needed. The system property {@code ai.djl.pytorch.num_threads} sets the same
     * at start-up.
     *
     * @throws IllegalArgumentException when {@code threads} is below 1
     */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        newManager().close();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    /** PyTorch's intra-op thread count. */
    public static int threads() {
        newManager().close();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }
}

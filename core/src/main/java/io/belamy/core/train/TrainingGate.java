package io.belamy.core.train;

import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one gate through which every training step of this JVM passes.
 *
 * <p>DJL's {@code GradientCollector} is a JVM-wide flag: two collectors open at once (say the text
 * and the music training operators in one TaskManager) corrupt each other's gradients. Steps
 * therefore take turns, first come first served. This is the only JVM-wide state in belamy, and it
 * exists because DJL's is.
 */
public final class TrainingGate {

    private static final ReentrantLock LOCK = new ReentrantLock(true);

    private TrainingGate() {}

    /** Runs {@code step} while holding the gate. */
    public static <T> T run(Callable<T> step) throws Exception {
        LOCK.lockInterruptibly();
        try {
            return step.call();
        } finally {
            LOCK.unlock();
        }
    }

    /** Whether some thread is inside the gate (for tests). */
    static boolean isBusy() {
        return LOCK.isLocked();
    }
}

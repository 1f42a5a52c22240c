package io.belamy.core.train;

import java.util.Locale;

/**
 * The learning rate at each step: linear warm-up from 0 to {@code peak} over {@code warmupSteps},
 * then cosine or linear decay to {@code minimum} at {@code decaySteps}, constant after (a stream
 * has no last step).
 *
 * <pre>{@code
 * Schedule s = new Schedule(Schedule.Shape.COSINE, 1e-3, 1e-4, 100, 1000);
 * s.at(0);    // 1e-5 (1/100 of the peak)
 * s.at(99);   // 1e-3
 * s.at(5000); // 1e-4
 * }</pre>
 */
public record Schedule(Shape shape, double peak, double minimum, int warmupSteps, int decaySteps)
        implements java.io.Serializable {

    /** How the rate falls after warm-up. */
    public enum Shape {
        COSINE,
        LINEAR,
        CONSTANT;

        /** Parses {@code cosine}, {@code linear} or {@code constant}. */
        public static Shape parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "schedule \"" + s + "\" is not one of: cosine, linear, constant", e);
            }
        }
    }

    public Schedule {
        if (shape == null) {
            throw new IllegalArgumentException("schedule shape must be given");
        }
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException(
                    "learning rate must be a finite number > 0, got " + peak);
        }
        if (!(minimum >= 0 && minimum <= peak)) {
            throw new IllegalArgumentException(
                    "minimum learning rate must be in [0, " + peak + "], got " + minimum);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (decaySteps < warmupSteps) {
            throw new IllegalArgumentException(
                    "decay steps " + decaySteps + " must be >= warm-up steps " + warmupSteps);
        }
    }

    /** The rate for step {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        if (shape == Shape.CONSTANT || step >= decaySteps) {
            return shape == Shape.CONSTANT ? peak : minimum;
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, decaySteps - warmupSteps);
        double factor =
                shape == Shape.COSINE ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
        return minimum + factor * (peak - minimum);
    }
}

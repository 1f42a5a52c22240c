package io.belamy.streaming;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One configuration key of a job: its name, what it means, its default, the values it allows and
 * how to parse them. Jobs read program arguments through these; the command line and {@code
 * docs/config.md} use the same definitions.
 *
 * @param name dotted key, e.g. {@code bootstrap.servers}; on a job's command line {@code --name}
 * @param doc one sentence for help texts
 * @param defaultValue used when the key is absent; null means the key is required
 * @param allowed the values allowed, for messages and docs (e.g. "an integer in [1, 64]")
 */
public record ConfigKey<T>(
        String name, String doc, T defaultValue, String allowed, Function<String, T> parser) {

    /**
     * Parses a raw value.
     *
     * @throws IllegalArgumentException naming the key, the value and what is allowed
     */
    public T parse(String raw) {
        try {
            return parser.apply(raw.trim());
        } catch (RuntimeException e) {
            String reason = e.getMessage() == null ? "" : ": " + e.getMessage();
            throw new IllegalArgumentException(
                    "invalid value \""
                            + raw
                            + "\" for "
                            + name
                            + reason
                            + " (allowed: "
                            + allowed
                            + ")",
                    e);
        }
    }

    public boolean required() {
        return defaultValue == null;
    }

    public static ConfigKey<String> string(
            String name, String doc, String defaultValue, String allowed) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                allowed,
                s -> {
                    if (s.isEmpty()) {
                        throw new IllegalArgumentException("empty");
                    }
                    return s;
                });
    }

    public static ConfigKey<Integer> integer(
            String name, String doc, Integer defaultValue, int min, int max) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                "an integer in [" + min + ", " + max + "]",
                s -> {
                    int v = Integer.parseInt(s);
                    if (v < min || v > max) {
                        throw new IllegalArgumentException("out of range");
                    }
                    return v;
                });
    }

    public static ConfigKey<Double> decimal(
            String name, String doc, Double defaultValue, double min, double max) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                "a number in [" + min + ", " + max + "]",
                s -> {
                    double v = Double.parseDouble(s);
                    if (!(v >= min && v <= max)) {
                        throw new IllegalArgumentException("out of range");
                    }
                    return v;
                });
    }

    public static ConfigKey<Long> longKey(
            String name, String doc, Long defaultValue, long min, long max) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                "an integer in [" + min + ", " + max + "]",
                s -> {
                    long v = Long.parseLong(s);
                    if (v < min || v > max) {
                        throw new IllegalArgumentException("out of range");
                    }
                    return v;
                });
    }

    /** Durations such as {@code 500ms}, {@code 10s}, {@code 5min}, {@code 1h}. */
    public static ConfigKey<Duration> duration(String name, String doc, Duration defaultValue) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                "a duration such as 500ms, 10s, 5min",
                ConfigKey::parseDuration);
    }

    public static ConfigKey<Path> path(String name, String doc, Path defaultValue) {
        return new ConfigKey<>(name, doc, defaultValue, "a file system path", Path::of);
    }

    /** One of fixed lower-case choices. */
    public static ConfigKey<String> choice(
            String name, String doc, String defaultValue, List<String> choices) {
        return new ConfigKey<>(
                name,
                doc,
                defaultValue,
                "one of " + String.join(", ", choices),
                s -> {
                    String v = s.toLowerCase(Locale.ROOT);
                    if (!choices.contains(v)) {
                        throw new IllegalArgumentException("not a choice");
                    }
                    return v;
                });
    }

    static Duration parseDuration(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < t.length()
                && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '.')) {
            split++;
        }
        if (split == 0) {
            throw new IllegalArgumentException("no number");
        }
        double amount = Double.parseDouble(t.substring(0, split));
        String unit = t.substring(split).trim();
        double millis =
                switch (unit) {
                    case "ms" -> amount;
                    case "s", "" -> amount * 1000;
                    case "min", "m" -> amount * 60_000;
                    case "h" -> amount * 3_600_000;
                    default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\"");
                };
        if (millis < 0) {
            throw new IllegalArgumentException("negative");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}

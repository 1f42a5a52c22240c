package io.belamy.streaming;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Program arguments of a job, {@code --key value} or {@code --key=value}, checked against the job's
 * {@link ConfigKey}s: an unknown key, a missing value or a missing required key is an error that
 * names it. The same jar runs anywhere because all its settings come from here.
 */
public final class JobArgs {

    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    private JobArgs(Collection<ConfigKey<?>> keys) {
        for (ConfigKey<?> k : keys) {
            this.keys.put(k.name(), k);
        }
    }

    /**
     * Parses arguments.
     *
     * @throws IllegalArgumentException for unknown keys, missing values and invalid values
     */
    public static JobArgs parse(String[] args, Collection<ConfigKey<?>> keys) {
        JobArgs parsed = new JobArgs(keys);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument \"" + arg + "\" (expected --key value)");
            }
            String key = arg.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("missing value for --" + key);
            }
            ConfigKey<?> k = parsed.keys.get(key);
            if (k == null) {
                throw new IllegalArgumentException(
                        "unknown option --" + key + " (known: " + parsed.keyList() + ")");
            }
            k.parse(value); // validate now
            parsed.values.put(key, value);
        }
        for (ConfigKey<?> k : keys) {
            if (k.required() && !parsed.values.containsKey(k.name())) {
                throw new IllegalArgumentException(
                        "missing required option --" + k.name() + ": " + k.doc());
            }
        }
        return parsed;
    }

    /** Arguments from a map of key names to raw values (as a launcher builds them). */
    public static JobArgs of(Map<String, String> values, Collection<ConfigKey<?>> keys) {
        return parse(toArgs(values), keys);
    }

    /** The map as {@code --key=value} arguments. */
    public static String[] toArgs(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
    }

    /** The value of a key, or its default. */
    public <T> T get(ConfigKey<T> key) {
        if (!keys.containsKey(key.name())) {
            throw new IllegalArgumentException(
                    "key " + key.name() + " is not an option of this job");
        }
        String raw = values.get(key.name());
        return raw == null ? key.defaultValue() : key.parse(raw);
    }

    /** Whether the key was given. */
    public boolean has(ConfigKey<?> key) {
        return values.containsKey(key.name());
    }

    private String keyList() {
        return keys.keySet().stream().map(k -> "--" + k).collect(Collectors.joining(", "));
    }
}

package foodcdc.config;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * One config key: its dotted YAML path, its type, its default (absent for required keys) and a
 * rule that returns a problem description, or empty when the value is fine.
 */
record ConfigKey(String path, Type type, Optional<Object> defaultValue,
                 Function<Object, Optional<String>> rule, String doc) {

    /** MAP: text keys to text values, a YAML mapping or, as text (an environment variable, a file), {@code key=value} lines. */
    enum Type { STRING, INTEGER, MAP }

    /** The prefix of every environment override: {@code postgres.password} -> {@code ORDERS_POSTGRES_PASSWORD}. */
    static final String ENV_PREFIX = "ORDERS_";

    static ConfigKey required(String path, Type type, Function<Object, Optional<String>> rule, String doc) {
        return new ConfigKey(path, type, Optional.empty(), rule, doc);
    }

    static ConfigKey optional(String path, Type type, Object defaultValue,
                              Function<Object, Optional<String>> rule, String doc) {
        return new ConfigKey(path, type, Optional.of(defaultValue), rule, doc);
    }

    String section() {
        return path.substring(0, path.indexOf('.'));
    }

    String name() {
        return path.substring(path.indexOf('.') + 1);
    }

    String envName() {
        return ENV_PREFIX + path.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Converts a raw value (from YAML or the environment) to this key's type.
     * Returns the converted value, or a {@link String} problem wrapped in {@link Conversion}.
     */
    Conversion convert(Object raw) {
        return switch (type) {
            case STRING -> convertString(raw);
            case INTEGER -> convertInteger(raw);
            case MAP -> convertMap(raw);
        };
    }

    /** Secret values never appear in messages or logs. */
    boolean secret() {
        return path.endsWith("password");
    }

    /** A secret, or a map that may hold some (Kafka's JAAS config): kept in files of their own, never echoed. */
    boolean holdsSecrets() {
        return secret() || type == Type.MAP;
    }

    /** Where the value may be read from a file instead ({@code postgres.password_file}, a Docker or Kubernetes secret). */
    String filePath() {
        return path + FILE_SUFFIX;
    }

    String fileEnvName() {
        return envName() + FILE_SUFFIX.toUpperCase(Locale.ROOT);
    }

    static final String FILE_SUFFIX = "_file";

    private Conversion convertString(Object raw) {
        // Integers are accepted as text (e.g. an unquoted numeric password: TextPreservingResolver
        // reads only those that read back the same); booleans are not.
        if (raw instanceof String || raw instanceof Integer || raw instanceof Long) {
            return Conversion.ok(raw.toString());
        }
        return Conversion.problem("expected a string, got " + describe(raw) + " (quote the value)");
    }

    private Conversion convertMap(Object raw) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        if (raw instanceof String text) {
            // As Kafka's own tools read a client.properties file (--command-config).
            java.util.Properties p = new java.util.Properties();
            try {
                p.load(new java.io.StringReader(text));
            } catch (java.io.IOException | IllegalArgumentException e) {
                return Conversion.problem("expected key=value lines (a Java properties file), " + e.getMessage());
            }
            p.stringPropertyNames().forEach(name -> out.put(name, p.getProperty(name)));
            return Conversion.ok(java.util.Collections.unmodifiableMap(out));
        }
        if (!(raw instanceof java.util.Map<?, ?> map)) {
            return Conversion.problem("expected a mapping of names to values, got " + describe(raw));
        }
        for (var e : map.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof String || v instanceof Integer || v instanceof Long || v instanceof Boolean)) {
                return Conversion.problem(e.getKey() + ": expected a text, number or boolean value, got "
                        + (v == null ? "nothing (null)" : v instanceof java.util.Map ? "a mapping" : "a list"));
            }
            out.put(String.valueOf(e.getKey()), v.toString());
        }
        return Conversion.ok(java.util.Collections.unmodifiableMap(out));
    }

    private Conversion convertInteger(Object raw) {
        if (raw instanceof Integer i) {
            return Conversion.ok(i);
        }
        // As YAML 1.1 read them before (TextPreservingResolver leaves them text): 100_000, +5.
        String digits = raw instanceof String s ? s.trim().replaceFirst("^\\+", "") : "";
        if (digits.matches("-?\\d+(_\\d+)*") && digits.replace("_", "").matches("-?\\d{1,9}")) {
            return Conversion.ok(Integer.parseInt(digits.replace("_", "")));
        }
        return Conversion.problem("expected an integer, got " + describe(raw));
    }

    private String describe(Object raw) {
        if (raw == null) {
            return "nothing (null)";
        }
        String kind = raw instanceof java.util.Map ? "a mapping"
                : raw instanceof java.util.List ? "a list"
                : raw instanceof String ? "text"
                : raw.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (secret()) {
            return kind + " (value hidden)";
        }
        return raw instanceof String s ? "'" + s + "'" : kind + " " + raw;
    }

    /** The outcome of converting one raw value: a typed value or a problem, never both. */
    record Conversion(Object value, String problem) {
        static Conversion ok(Object value) {
            return new Conversion(value, null);
        }

        static Conversion problem(String problem) {
            return new Conversion(null, problem);
        }

        boolean failed() {
            return problem != null;
        }
    }
}

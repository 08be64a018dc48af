package foodcdc.config;

import foodcdc.lake.LakeLayout;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Validation rules for config values; each returns a problem description or empty. */
final class Rules {
    private Rules() {
    }

    /**
     * A PostgreSQL identifier we can always quote and never need to escape: a letter or
     * underscore, then letters, digits, underscores; at most 63 bytes (NAMEDATALEN - 1).
     */
    private static final Pattern SQL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /** Kafka's own rule for topic names (legal characters, at most 249 of them). */
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:]+]):(\\d{1,5})");

    static Function<Object, Optional<String>> nonBlank() {
        return v -> ((String) v).isBlank() ? Optional.of("must not be empty") : Optional.empty();
    }

    /** A scheme and authority ({@code s3a://bucket}, {@code hdfs://nn:8020}, {@code file://}) in front of a path. */
    private static final Pattern SCHEME_AUTHORITY = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://[^/]*");

    /**
     * The lake's root: a folder below a root, without a trailing {@code /}, since its quarantine
     * and staging folders are named by appending to it ({@code <path>_quarantine}): with a
     * trailing slash they would land inside the lake (and be read as lake files), at a bucket's
     * root they would name another bucket.
     */
    static Function<Object, Optional<String>> folderWithSiblings() {
        return v -> {
            String path = (String) v;
            String inside = SCHEME_AUTHORITY.matcher(path).replaceFirst("");
            if (path.isBlank() || path.endsWith("/") || inside.isEmpty()) {
                return Optional.of("'" + path + "' must name a folder below the root, without a trailing / "
                        + "(the quarantine and staging folders go beside it, e.g. " + path.replaceAll("/+$", "")
                        + LakeLayout.QUARANTINE_SUFFIX + ")");
            }
            return Optional.empty();
        };
    }

    static Function<Object, Optional<String>> between(int min, int max) {
        return v -> {
            int i = (Integer) v;
            return i < min || i > max
                    ? Optional.of("must be between " + min + " and " + max + ", got " + i)
                    : Optional.empty();
        };
    }

    static Function<Object, Optional<String>> sqlIdentifier() {
        return v -> SQL_IDENTIFIER.matcher((String) v).matches()
                ? Optional.empty()
                : Optional.of("'" + v + "' is not a safe SQL identifier "
                        + "(a letter or _, then letters, digits or _, at most 63 characters)");
    }

    static Function<Object, Optional<String>> kafkaTopic() {
        return v -> {
            String s = (String) v;
            return KAFKA_TOPIC.matcher(s).matches() && !s.equals(".") && !s.equals("..")
                    ? Optional.empty()
                    : Optional.of("'" + s + "' is not a valid Kafka topic name "
                            + "(letters, digits, '.', '_', '-', at most 249 characters)");
        };
    }

    static Function<Object, Optional<String>> hostName() {
        return v -> ((String) v).matches("[A-Za-z0-9._:-]+")
                ? Optional.empty()
                : Optional.of("'" + v + "' is not a host name or address");
    }

    /** A comma-separated list of host:port pairs, as Kafka's bootstrap.servers takes. */
    static Function<Object, Optional<String>> brokerList() {
        return v -> {
            for (String broker : ((String) v).split(",", -1)) {
                var m = HOST_PORT.matcher(broker.trim());
                if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                    return Optional.of("'" + broker.trim() + "' is not host:port (port 1-65535); "
                            + "expected a comma-separated list like \"localhost:9092\"");
                }
            }
            return Optional.empty();
        };
    }

    static Function<Object, Optional<String>> jdbcPostgresUrl() {
        return v -> JdbcUrl.parse((String) v).isPresent()
                ? Optional.empty()
                : Optional.of("'" + JdbcUrl.redacted((String) v) + "' is not a PostgreSQL JDBC URL "
                        + "(expected jdbc:postgresql://HOST:PORT/DATABASE)");
    }

    static Function<Object, Optional<String>> oneOf(String... allowed) {
        return v -> {
            for (String a : allowed) {
                if (a.equals(v)) {
                    return Optional.empty();
                }
            }
            return Optional.of("'" + v + "' is not supported; use one of " + String.join(", ", allowed));
        };
    }
}

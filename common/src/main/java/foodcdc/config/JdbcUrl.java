package foodcdc.config;

import java.util.Optional;
import java.util.regex.Pattern;

/** The host, port and database named by a single-host PostgreSQL JDBC URL. */
record JdbcUrl(String host, int port, String db) {
    private static final Pattern URL =
            Pattern.compile("jdbc:postgresql://([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:]+])(?::(\\d{1,5}))?/([^?/]+)(\\?.*)?");

    static Optional<JdbcUrl> parse(String url) {
        var m = URL.matcher(url);
        if (!m.matches()) {
            return Optional.empty();
        }
        int port = m.group(2) == null ? 5432 : Integer.parseInt(m.group(2));
        return Optional.of(new JdbcUrl(m.group(1), port, m.group(3)));
    }

    /** Loopback names are one host: a URL saying localhost agrees with host 127.0.0.1. */
    boolean sameHost(String other) {
        return host.equalsIgnoreCase(other) || (isLoopback(host) && isLoopback(other));
    }

    private static boolean isLoopback(String h) {
        return h.equalsIgnoreCase("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
    }
}

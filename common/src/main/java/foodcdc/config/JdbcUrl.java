package foodcdc.config;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The host, port and database named by a single-host PostgreSQL JDBC URL. */
record JdbcUrl(String host, int port, String db) {
    private static final Pattern URL =
            Pattern.compile("jdbc:postgresql://([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:]+])(?::(\\d{1,5}))?/([^?/]+)(\\?.*)?");

    /** A URL's password parameters ({@code password=}, {@code sslpassword=}), as they do not belong in a log. */
    private static final Pattern PASSWORD = Pattern.compile("(?i)([?&](?:ssl)?password=)[^&]*");

    /** The URL as it may be shown: each password parameter's value replaced. */
    static String redacted(String url) {
        return PASSWORD.matcher(url).replaceAll("$1" + PipelineConfig.REDACTED);
    }

    /** The URL's {@code ?name=value&…} parameters, in order, names in lower case. */
    static Map<String, String> parameters(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        int query = url.indexOf('?');
        if (query < 0) {
            return out;
        }
        for (String pair : url.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(pair.substring(0, eq).toLowerCase(Locale.ROOT), decoded(pair.substring(eq + 1)));
            }
        }
        return out;
    }

    /** A parameter's value as the driver reads it (%-escapes decoded); as written when it has a stray %. */
    private static String decoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

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

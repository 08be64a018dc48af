package foodcdc.producer;

import java.io.IOException;
import java.io.StringReader;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Properties;

/**
 * The last order published to Kafka and acknowledged, as the key the producer reads in:
 * {@code (created_at, order_id)}. The next poll starts strictly after it, so rows that share a
 * {@code created_at} are never skipped, and the microseconds are kept.
 *
 * <p>Its file form is a small human-readable properties text.
 */
public record Watermark(LocalDateTime createdAt, long orderId) implements Position, Comparable<Watermark> {

    /** Always six fractional digits: the file and the SQL literal keep microseconds. */
    static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS");
    private static final DateTimeFormatter SQL_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    public Watermark {
        if (createdAt == null) {
            throw new IllegalArgumentException("created_at of a watermark must not be null");
        }
    }

    /** A PostgreSQL row constructor to compare {@code (created_at, order_id)} with. */
    String sqlRow() {
        return "(TIMESTAMP '" + SQL_MICROS.format(createdAt) + "', " + orderId + ")";
    }

    @Override
    public String encode() {
        return "# Last order published to Kafka and acknowledged; the next poll starts after it.\n"
                + "# created_at is UTC wall-clock time, as in the source table.\n"
                + "created_at=" + ISO_MICROS.format(createdAt) + "\n"
                + "order_id=" + orderId + "\n";
    }

    static Watermark decode(String text) {
        Properties p = properties(text);
        String createdAt = p.getProperty("created_at");
        String orderId = p.getProperty("order_id");
        if (createdAt == null || orderId == null) {
            throw new IllegalArgumentException("watermark must hold created_at and order_id, got: " + p.keySet());
        }
        try {
            return new Watermark(LocalDateTime.parse(createdAt.trim()), Long.parseLong(orderId.trim()));
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("bad watermark value: " + e.getMessage(), e);
        }
    }

    /** A watermark file's text as properties (either mode's). */
    static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable watermark: " + e.getMessage(), e);
        }
        return p;
    }

    @Override
    public int compareTo(Watermark o) {
        int c = createdAt.compareTo(o.createdAt);
        return c != 0 ? c : Long.compare(orderId, o.orderId);
    }

    @Override
    public String toString() {
        return "(" + ISO_MICROS.format(createdAt) + ", " + orderId + ")";
    }
}

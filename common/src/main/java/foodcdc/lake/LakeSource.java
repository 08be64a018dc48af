package foodcdc.lake;

import static foodcdc.sql.SqlIdentifier.quote;

import foodcdc.contract.OrderEvent;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The source a lake was built from, recorded in the lake itself ({@value #FILE} in
 * {@code datalake.path}, beside the date folders; no Parquet reader lists it), so that it
 * outlives every reset of the watermark or the checkpoint: the PostgreSQL cluster
 * ({@code system_identifier}), the table and its OID, the highest order_id published, and the
 * last order published (its order_id and created_at). The lake's
 * order_ids mean orders of this source only: a producer that reached another source would
 * publish orders whose ids the lake already holds, and the consumer would drop them as copies.
 *
 * @param highWaterMark the highest order_id published into the lake; -1 before the first
 * @param lastOrder the last order published and its created_at; an order_id handed out again
 *                  (a table reset) comes with another created_at
 */
public record LakeSource(String systemIdentifier, String table, long tableOid, long highWaterMark,
                         Optional<Order> lastOrder) {
    public static final String FILE = "_source.properties";

    /** An order_id and the created_at the table gave it. */
    public record Order(long orderId, LocalDateTime createdAt) {
    }

    /** The record's place in the lake at {@code lakePath}. */
    public static StateFile file(String lakePath, Configuration conf) throws IOException {
        return new StateFile(new Path(lakePath, FILE), conf);
    }

    /**
     * The source as a connection sees it now: its cluster, the table's OID, and the order_id
     * sequence, if it has one: whether this role may read it, and the value it hands out next
     * (empty without a sequence or the right to read it).
     */
    public record Live(String systemIdentifier, long tableOid, Optional<String> sequence, boolean sequenceReadable,
                       OptionalLong nextOrderId) {

        public static Live read(Connection c, String table) throws SQLException {
            return read(c, table, OrderEvent.ORDER_ID);
        }

        /** As {@link #read(Connection, String)}, for the sequence of {@code keyColumn} (a change table's change_id). */
        public static Live read(Connection c, String table, String keyColumn) throws SQLException {
            String cluster;
            long oid;
            Optional<String> sequence;
            boolean readable;
            try (PreparedStatement s = c.prepareStatement("SELECT (SELECT system_identifier::text FROM "
                    + "pg_control_system()), ?::regclass::oid, q.seq, has_sequence_privilege(q.seq, 'SELECT') "
                    + "FROM (SELECT pg_get_serial_sequence(?, ?) AS seq) AS q")) {
                s.setString(1, quote(table));
                s.setString(2, quote(table));
                s.setString(3, keyColumn);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    cluster = rs.getString(1);
                    oid = rs.getLong(2);
                    sequence = Optional.ofNullable(rs.getString(3));
                    readable = rs.getBoolean(4);
                }
            }
            if (sequence.isEmpty() || !readable) {
                return new Live(cluster, oid, sequence, readable, OptionalLong.empty());
            }
            // The sequence's own row: after a RESTART (or a TRUNCATE … RESTART IDENTITY) it has
            // not been called, and hands out its last_value itself next.
            try (PreparedStatement s = c.prepareStatement("SELECT CASE WHEN s.is_called THEN s.last_value + "
                    + "p.seqincrement ELSE s.last_value END FROM " + sequence.get() + " AS s, pg_sequence AS p "
                    + "WHERE p.seqrelid = ?::regclass")) {
                s.setString(1, sequence.get());
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return new Live(cluster, oid, sequence, true, OptionalLong.of(rs.getLong(1)));
                }
            }
        }
    }

    /** The created_at the table holds for {@code orderId} now; empty when there is no such row. */
    public static Optional<LocalDateTime> createdAtNow(Connection c, String table, long orderId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + OrderEvent.CREATED_AT + " FROM " + quote(table)
                + " WHERE " + OrderEvent.ORDER_ID + " = ?")) {
            s.setLong(1, orderId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, LocalDateTime.class)) : Optional.empty();
            }
        }
    }

    public static Optional<LakeSource> read(StateFile file) throws IOException {
        Optional<Map<String, String>> values = file.read();
        if (values.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> v = values.get();
        try {
            Optional<Order> last = v.containsKey("last_order_id")
                    ? Optional.of(new Order(Long.parseLong(v.get("last_order_id")),
                            LocalDateTime.parse(required(v, "last_order_created_at"))))
                    : Optional.empty();
            return Optional.of(new LakeSource(required(v, "system_identifier"), required(v, "table"),
                    Long.parseLong(required(v, "table_oid")), Long.parseLong(required(v, "order_id_high_water_mark")),
                    last));
        } catch (RuntimeException e) {
            throw new IOException(file + " is not a source record (" + e.getMessage() + "); it says which database the "
                    + "lake was built from: restore it, or start a new lake", e);
        }
    }

    public void write(StateFile file) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("system_identifier", systemIdentifier);
        v.put("table", table);
        v.put("table_oid", Long.toString(tableOid));
        v.put("order_id_high_water_mark", Long.toString(highWaterMark));
        lastOrder.ifPresent(o -> {
            v.put("last_order_id", Long.toString(o.orderId()));
            v.put("last_order_created_at", o.createdAt().toString());
        });
        file.write("The PostgreSQL source this lake was built from (written by the producer; never edit it by hand)", v);
    }

    /** This record after a published batch ({@code seen}): the higher high-water mark, the newer last order. */
    public LakeSource updatedBy(LakeSource seen) {
        return new LakeSource(systemIdentifier, table, tableOid, Math.max(highWaterMark, seen.highWaterMark),
                seen.lastOrder.isPresent() ? seen.lastOrder : lastOrder);
    }

    private static String required(Map<String, String> v, String key) {
        String value = v.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }
}

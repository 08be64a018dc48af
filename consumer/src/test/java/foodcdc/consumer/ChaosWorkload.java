package foodcdc.consumer;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Orders inserted the ways that break timestamp polling, while faults happen: single rows,
 * multi-row transactions, bursts sharing one {@code created_at}, transactions that stay open
 * for seconds and so commit rows older than rows already published, and some invalid rows
 * (null or negative amount). Two threads: one for the quick writes, one for the late commits.
 * A write that fails (the database went away) is retried on a new connection; what it had not
 * committed is lost with its transaction, which is correct. Every order_id whose commit the
 * database acknowledged is remembered, to check afterwards that the table really holds them.
 *
 * <p>With {@code changes} (change capture mode) the orders also live: a third of the quick
 * writes change existing ones instead (a status, two statuses in one transaction, an amount,
 * sometimes to an invalid one, a delete), and the late transactions update an order early and
 * commit seconds later.
 */
final class ChaosWorkload implements AutoCloseable {
    /** Connects to the source database, again after each failure. */
    interface Source {
        Connection connect() throws SQLException;
    }

    private static final List<String> CUSTOMERS = List.of("John Doe", "Zoë Ångström", "李小龍", "Ольга", "🍕 Lover",
            "Liam O'Brien", "Back\\slash \"Quoted\"");
    private static final List<String> STATUSES = List.of("PLACED", "PREPARING", "DELIVERED", "CANCELLED");

    private final Source source;
    private final boolean changes;
    private final String table;
    private final String insert;
    private final String burst;
    private final Map<String, AtomicLong> committedByKind = new ConcurrentHashMap<>();
    private final AtomicLong failedWrites = new AtomicLong();
    private final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    /** The order_ids of this thread's open transaction, acknowledged once it commits. */
    private final ThreadLocal<List<Integer>> pending = ThreadLocal.withInitial(ArrayList::new);
    private volatile boolean running = true;
    private final Thread quick;
    private final Thread late;

    ChaosWorkload(Source source, String table, long seed) {
        this(source, table, seed, false);
    }

    ChaosWorkload(Source source, String table, long seed, boolean changes) {
        this.source = source;
        this.changes = changes;
        this.table = "\"" + table + "\"";
        String columns = "\"" + table + "\" (customer_name, restaurant_name, item, amount, order_status)";
        this.insert = "INSERT INTO " + columns + " VALUES (?, ?, ?, ?, ?) RETURNING order_id";
        this.burst = "INSERT INTO " + columns + " SELECT ? || ' #' || g, ?, ?, ?, ? FROM generate_series(1, ?) g "
                + "RETURNING order_id";
        this.quick = new Thread(() -> loop(new Random(seed), this::quickWrite), "chaos-quick-writes");
        this.late = new Thread(() -> loop(new Random(seed + 1), this::lateCommit), "chaos-late-commits");
    }

    ChaosWorkload start() {
        quick.start();
        late.start();
        return this;
    }

    private interface Write {
        void run(Connection conn, Random random) throws SQLException, InterruptedException;
    }

    private void loop(Random random, Write write) {
        Connection conn = null;
        while (running) {
            try {
                if (conn == null) {
                    conn = source.connect();
                }
                write.run(conn, random);
            } catch (SQLException e) {
                // Whatever this transaction inserted is rolled back with it.
                pending.get().clear();
                failedWrites.incrementAndGet();
                closeQuietly(conn);
                conn = null;
                pause(200);
            } catch (InterruptedException e) {
                break;
            }
        }
        closeQuietly(conn);
    }

    /** One quick write, then a short pause: about 15 writes a second. */
    private void quickWrite(Connection conn, Random random) throws SQLException, InterruptedException {
        if (changes && random.nextInt(3) == 0) {
            changeWrite(conn, random);
            Thread.sleep(20 + random.nextInt(80));
            return;
        }
        int kind = random.nextInt(100);
        if (kind < 45) {
            conn.setAutoCommit(true);
            insertOne(conn, random, random.nextInt(10) == 0);
            count("single rows");
        } else if (kind < 70) {
            conn.setAutoCommit(false);
            int rows = 2 + random.nextInt(4);
            for (int i = 0; i < rows; i++) {
                insertOne(conn, random, random.nextInt(10) == 0);
            }
            commit(conn, "multi-row transactions");
        } else if (kind < 85) {
            conn.setAutoCommit(false);
            insertBurst(conn, random, 10 + random.nextInt(50));
            commit(conn, "bursts with one created_at");
        } else {
            conn.setAutoCommit(true);
            insertOne(conn, random, true);
            count("single invalid rows");
        }
        Thread.sleep(20 + random.nextInt(80));
    }

    /** One change of existing orders: a status, two in one transaction, an amount (sometimes invalid), a delete. */
    private void changeWrite(Connection conn, Random random) throws SQLException {
        int kind = random.nextInt(100);
        if (kind < 40) {
            conn.setAutoCommit(true);
            update(conn, "order_status = '" + STATUSES.get(random.nextInt(STATUSES.size())) + "'", random);
            count("status updates");
        } else if (kind < 60) {
            conn.setAutoCommit(false);
            int id = someOrder(conn, random);
            update(conn, "order_status = 'PREPARING'", id);
            update(conn, "order_status = 'DELIVERED'", id);
            commit(conn, "two updates of one order in one transaction");
        } else if (kind < 80) {
            conn.setAutoCommit(true);
            boolean invalid = random.nextInt(5) == 0;
            update(conn, "amount = " + (invalid ? "-1.00" : BigDecimal.valueOf(random.nextInt(100_000), 2)), random);
            count(invalid ? "updates to an invalid amount" : "amount updates");
        } else {
            conn.setAutoCommit(true);
            try (PreparedStatement s = conn.prepareStatement("DELETE FROM " + table + " WHERE order_id = ?")) {
                s.setInt(1, someOrder(conn, random));
                s.executeUpdate();
            }
            count("deletes");
        }
    }

    private void update(Connection conn, String set, Random random) throws SQLException {
        update(conn, set, someOrder(conn, random));
    }

    private void update(Connection conn, String set, int orderId) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement("UPDATE " + table + " SET " + set + " WHERE order_id = ?")) {
            s.setInt(1, orderId);
            s.executeUpdate();
        }
    }

    /** An order_id at random among those inserted so far (maybe deleted since: then the change changes nothing). */
    private int someOrder(Connection conn, Random random) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement("SELECT max(order_id) FROM " + table);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return 1 + random.nextInt(Math.max(1, rs.getInt(1)));
        }
    }

    /** A transaction open for 2 to 12 s: its rows' created_at is older than rows published meanwhile. */
    private void lateCommit(Connection conn, Random random) throws SQLException, InterruptedException {
        conn.setAutoCommit(false);
        if (changes && random.nextBoolean()) {   // an update that commits late, after later ones
            update(conn, "order_status = 'LATE'", random);
            Thread.sleep(2_000 + random.nextInt(10_000));
            commit(conn, "late-committing updates");
            return;
        }
        int rows = 1 + random.nextInt(3);
        for (int i = 0; i < rows; i++) {
            insertOne(conn, random, random.nextInt(5) == 0);
        }
        Thread.sleep(2_000 + random.nextInt(10_000));
        commit(conn, "late-committing transactions");
    }

    private void insertOne(Connection conn, Random random, boolean invalid) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement(insert)) {
            bind(s, random, invalid);
            collect(conn, s);
        }
    }

    private void insertBurst(Connection conn, Random random, int rows) throws SQLException {
        try (PreparedStatement s = conn.prepareStatement(burst)) {
            bind(s, random, false);
            s.setInt(6, rows);
            collect(conn, s);
        }
    }

    private void bind(PreparedStatement s, Random random, boolean invalid) throws SQLException {
        s.setString(1, CUSTOMERS.get(random.nextInt(CUSTOMERS.size())));
        s.setString(2, "Chaos Kitchen " + random.nextInt(20));
        s.setString(3, "Dish " + random.nextInt(1000));
        if (invalid && random.nextBoolean()) {
            s.setNull(4, Types.NUMERIC);
        } else {
            BigDecimal cents = BigDecimal.valueOf(random.nextInt(100_000), 2);
            s.setBigDecimal(4, invalid ? cents.negate().subtract(new BigDecimal("0.01")) : cents);
        }
        s.setString(5, STATUSES.get(random.nextInt(STATUSES.size())));
    }

    private void collect(Connection conn, PreparedStatement s) throws SQLException {
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                pending.get().add(rs.getInt(1));
            }
        }
        if (conn.getAutoCommit()) {
            acknowledged.addAll(pending.get());
            pending.get().clear();
        }
    }

    private void commit(Connection conn, String kind) throws SQLException {
        try {
            conn.commit();
            acknowledged.addAll(pending.get());
            count(kind);
        } finally {
            pending.get().clear();
        }
    }

    private void count(String kind) {
        committedByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    /** Writes acknowledged by the database, by kind. */
    Map<String, Long> committed() {
        Map<String, Long> out = new TreeMap<>();
        committedByKind.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long failedWrites() {
        return failedWrites.get();
    }

    /** The order_ids whose commit the database acknowledged. */
    Set<Integer> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    /** Stops both threads; a late transaction still open is rolled back. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        quick.interrupt();
        late.interrupt();
        quick.join(30_000);
        late.join(30_000);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection conn) {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException e) {
                // the connection is gone already
            }
        }
    }
}

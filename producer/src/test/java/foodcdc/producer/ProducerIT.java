package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.idsInTable;
import static foodcdc.producer.TableAndTopic.keysInTopic;
import static foodcdc.producer.TableAndTopic.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.Repository;
import foodcdc.stack.SqlScript;
import foodcdc.stack.TestSpark;
import foodcdc.stack.ThrowawayStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The producer against real PostgreSQL, Kafka and Spark, driven poll by poll. */
class ProducerIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final SparkSession SPARK = TestSpark.session();

    /** Polls until a poll finds nothing; returns the row counts of the polls that found rows. */
    private static List<Long> drain(ProducerJob job) throws Exception {
        List<Long> polls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long rows = job.pollOnce().rows();
            if (rows == 0) {
                return polls;
            }
            polls.add(rows);
        }
        throw new AssertionError("no end after 100 polls: " + polls);
    }

    /** Rows younger than the horizon margin (250 ms) are left for a later poll. */
    private static void letTheHorizonPass() throws InterruptedException {
        Thread.sleep(1_300);
    }

    @Test
    void shouldPublishAsTheLeastPrivilegeRoleOfDbProducerRoleSqlWhichCannotWrite() throws Exception {
        PipelineConfig admin = STACK.isolated("least_privilege", 100_000);
        try (Connection conn = STACK.connect()) {
            SqlScript.run(Repository.home().resolve("db/producer_role.sql"), Map.of("table", admin.postgres().table(),
                    "role", "orders_producer", "password", "producer-secret"), conn);
        }
        var pg = admin.postgres();
        PipelineConfig c = admin.withPostgres(pg.withLogin("orders_producer", "producer-secret"));
        try (Connection role = DriverManager.getConnection(pg.jdbcUrl(), "orders_producer", "producer-secret");
             Statement s = role.createStatement()) {
            SQLException denied = assertThrows(SQLException.class,
                    () -> s.execute("INSERT INTO " + table(c) + " (customer_name, amount) VALUES ('x', 1)"));
            assertEquals("42501", denied.getSQLState(), "the producer's role must not write");
        }
        letTheHorizonPass();
        try (SourceDatabase db = new SourceDatabase(c.postgres())) {
            assertEquals(List.of(), db.startProblems(), "sees other sessions' transactions");
        }
        try (ProducerJob job = new ProducerJob(c, SPARK)) {
            assertEquals(List.of(10L), drain(job));
        }
        assertEquals(idsInTable(STACK, admin).stream().toList(), keysInTopic(STACK, c).stream().sorted().toList());
    }

    @Test
    void shouldPublishEveryExistingRowOnAFirstRunAsTheExactEvent() throws Exception {
        PipelineConfig c = STACK.isolated("first_run", 100_000);
        letTheHorizonPass();
        try (ProducerJob job = new ProducerJob(c, SPARK)) {
            assertEquals(List.of(10L), drain(job));
        }
        List<ConsumerRecord<String, String>> records = STACK.readTopic(c.kafka().topic());
        assertEquals(idsInTable(STACK, c), records.stream().map(r -> Integer.parseInt(r.key())).collect(Collectors.toSet()));
        assertEquals(10, records.size());

        ObjectMapper json = new ObjectMapper();
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + table(c))) {
            while (rs.next()) {
                String key = Integer.toString(rs.getInt("order_id"));
                JsonNode e = json.readTree(records.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().value());
                assertEquals(List.of("order_id", "customer_name", "restaurant_name", "item", "amount", "order_status",
                        "created_at"), iterate(e.fieldNames()));
                assertEquals(rs.getInt("order_id"), e.get("order_id").intValue());
                assertTrue(e.get("order_id").isInt());
                assertEquals(rs.getString("customer_name"), e.get("customer_name").textValue());
                assertEquals(rs.getString("restaurant_name"), e.get("restaurant_name").textValue());
                assertEquals(rs.getString("item"), e.get("item").textValue());
                assertTrue(e.get("amount").isNumber());
                assertEquals(0, rs.getBigDecimal("amount").compareTo(e.get("amount").decimalValue()));
                assertEquals(rs.getString("order_status"), e.get("order_status").textValue());
                assertEquals(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                        .format(rs.getObject("created_at", LocalDateTime.class)), e.get("created_at").textValue());
            }
        }
    }

    @Test
    void shouldSplitThousandsOfRowsSharingOneCreatedAtAcrossPollsWithoutLosingAny() throws Exception {
        PipelineConfig c = STACK.isolated("ties", 700);
        try (ProducerJob job = new ProducerJob(c, SPARK); Connection conn = STACK.connect()) {
            letTheHorizonPass();
            drain(job);
            // One transaction: 5,000 rows with one created_at (now() is the transaction's start).
            try (Statement s = conn.createStatement()) {
                s.execute("INSERT INTO " + table(c) + " (customer_name, restaurant_name, item, amount, order_status) "
                        + "SELECT 'Tie ' || g, 'Tie Kitchen', 'Item', 10.00, 'PLACED' FROM generate_series(1, 5000) g");
            }
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(DISTINCT created_at) FROM " + table(c) + " WHERE customer_name LIKE 'Tie %'")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "the rows share one created_at");
            }
            letTheHorizonPass();
            assertEquals(List.of(700L, 700L, 700L, 700L, 700L, 700L, 700L, 100L), drain(job));
        }
        List<Integer> keys = keysInTopic(STACK, c);
        assertEquals(idsInTable(STACK, c), new TreeSet<>(keys));
        assertEquals(5010, keys.size(), "no duplicates without a crash");
    }

    @Test
    void shouldWaitForALateCommitInsteadOfSkippingIt() throws Exception {
        PipelineConfig c = STACK.isolated("late_commit", 100_000);
        String insert = "INSERT INTO " + table(c) + " (customer_name, restaurant_name, item, amount, order_status) "
                + "SELECT ?, 'Late Kitchen', 'Item', 12.50, 'PLACED' FROM generate_series(1, 3) RETURNING order_id";
        try (ProducerJob job = new ProducerJob(c, SPARK);
             Connection slow = STACK.connect(); Connection fast = STACK.connect()) {
            letTheHorizonPass();
            drain(job);
            // A transaction opens and inserts, but does not commit yet.
            slow.setAutoCommit(false);
            Set<Integer> slowIds = run(slow, insert, "slow");
            Thread.sleep(50);
            // Later rows commit at once: their created_at is newer than the open transaction's.
            Set<Integer> fastIds = run(fast, insert, "fast");
            letTheHorizonPass();
            assertEquals(List.of(), drain(job), "rows after the open transaction's start wait for it");
            assertTrue(keysInTopic(STACK, c).stream().noneMatch(fastIds::contains));

            slow.commit();
            letTheHorizonPass();
            assertEquals(List.of(6L), drain(job));
            assertTrue(createdAt(c, slowIds).compareTo(createdAt(c, fastIds)) < 0,
                    "the late commit's rows carry the older created_at");
        }
        List<Integer> keys = keysInTopic(STACK, c);
        assertEquals(idsInTable(STACK, c), new TreeSet<>(keys));
        assertEquals(16, keys.size());
    }

    @Test
    void shouldKeepRowsAMicrosecondApartOnBothSidesOfTheWatermark() throws Exception {
        PipelineConfig c = STACK.isolated("precision", 1);
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
            s.execute("DELETE FROM " + table(c));
            // Inserted out of created_at order, so order_id and created_at disagree.
            s.execute("INSERT INTO " + table(c) + " (customer_name, amount, created_at) VALUES "
                    + "('b', 1.00, '2024-02-29 23:59:59.999999'), "
                    + "('a', 1.00, '2024-02-29 23:59:59.999998'), "
                    + "('c', 1.00, '2024-03-01 00:00:00.000000')");
        }
        try (ProducerJob job = new ProducerJob(c, SPARK)) {
            assertEquals(List.of(1L, 1L, 1L), drain(job));
            assertEquals(new Watermark(LocalDateTime.parse("2024-03-01T00:00:00"), maxId(c)), job.watermark().orElseThrow());
            try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
                // A tie with the watermark (higher id), and one a microsecond after it.
                s.execute("INSERT INTO " + table(c) + " (customer_name, amount, created_at) VALUES "
                        + "('d', 1.00, '2024-03-01 00:00:00.000000'), ('e', 1.00, '2024-03-01 00:00:00.000001')");
            }
            assertEquals(List.of(1L, 1L), drain(job));
        }
        String file = java.nio.file.Files.readString(java.nio.file.Path.of(
                c.streaming().lastProcessedTimestampLocation(), "watermark.properties"));
        assertTrue(file.contains("created_at=2024-03-01T00:00:00.000001\n"), file);
        List<Integer> keys = keysInTopic(STACK, c);
        assertEquals(idsInTable(STACK, c), new TreeSet<>(keys));
        assertEquals(5, keys.size());
    }

    @Test
    void shouldGiveUpWaitingForATableLockOnTheServerBeforeTheSocketTimesOut() throws Exception {
        PipelineConfig c = STACK.isolated("locked", 100_000);
        try (Connection locker = STACK.connect(); Statement s = locker.createStatement();
             SourceDatabase db = new SourceDatabase(c.postgres())) {
            locker.setAutoCommit(false);
            s.execute("LOCK TABLE " + table(c) + " IN ACCESS EXCLUSIVE MODE");   // as ALTER TABLE or VACUUM FULL do
            long t0 = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> db.nextBatch(java.util.Optional.empty(), 10));
            long seconds = java.time.Duration.ofNanos(System.nanoTime() - t0).toSeconds();
            assertEquals("55P03", e.getSQLState(), "lock_timeout on the server, not the socket: " + e.getMessage());
            assertTrue(seconds >= 19 && seconds < 30, "gave up after " + seconds + " s");
            locker.rollback();
        }
    }

    private static Set<Integer> run(Connection conn, String insert, String name) throws Exception {
        try (PreparedStatement p = conn.prepareStatement(insert)) {
            p.setString(1, name);
            Set<Integer> ids = new TreeSet<>();
            ResultSet rs = p.executeQuery();
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            return ids;
        }
    }

    private static LocalDateTime createdAt(PipelineConfig c, Set<Integer> ids) throws Exception {
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT max(created_at) FROM " + table(c) + " WHERE order_id IN ("
                        + ids.stream().map(String::valueOf).collect(Collectors.joining(",")) + ")")) {
            rs.next();
            return rs.getObject(1, LocalDateTime.class);
        }
    }

    private static long maxId(PipelineConfig c) throws Exception {
        return idsInTable(STACK, c).stream().mapToLong(Integer::longValue).max().orElseThrow();
    }

    private static <T> List<T> iterate(java.util.Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}

package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.awaitTopicHoldsTheTable;
import static foodcdc.producer.TableAndTopic.keysInTopic;
import static foodcdc.producer.TableAndTopic.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The late-commit horizon, through the producer script, held back by two transactions at once
 * while other sessions commit newer rows: a read-only report (as pg_dump or the validator
 * read: it cannot write, and still counts), and then a writer that is not a client backend, a
 * logical-replication connection (a walsender, which may run SQL and reports no xact_start).
 * The walsender is the holder first; once it commits, the report is, and each is named in a
 * WARN (after 30 s open) with what pg_stat_activity says of it.
 */
class HorizonIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldWaitForEveryOpenTransactionAndSayWhichOneHoldsRowsBack() throws Exception {
        PipelineConfig c = STACK.isolated("walsender", 100_000);
        String table = table(c);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("walsender.yml"));
        Properties replication = login(c, "it-replication-client");
        replication.setProperty("replication", "database");
        replication.setProperty("preferQueryMode", "simple");
        replication.setProperty("assumeMinServerVersion", "9.4");
        // Longer than the WARN shows, on several lines: it shows the first 60 characters, on one.
        String reportSql = "SELECT count(*) AS orders,\n       sum(amount) AS revenue\n  FROM " + table
                + "\n WHERE order_status <> 'CANCELLED'";
        String reportWords = reportSql.replaceAll("\\s+", " ").substring(0, 60);
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                STACK.dir().resolve("walsender.log"))) {
            awaitTopicHoldsTheTable(STACK, c, WAIT);   // the sample orders
            try (Connection report = DriverManager.getConnection(c.postgres().jdbcUrl(), login(c, "it-report"));
                 Statement r = report.createStatement();
                 Connection wal = DriverManager.getConnection(c.postgres().jdbcUrl(), replication);
                 Statement w = wal.createStatement(); Connection other = STACK.connect();
                 Statement o = other.createStatement()) {
                report.setAutoCommit(false);
                report.setReadOnly(true);   // BEGIN READ ONLY, as the validator reads
                int reportPid = pid(r);
                r.executeQuery(reportSql).close();
                LocalDateTime reportStart;
                try (ResultSet rs = o.executeQuery("SELECT (xact_start AT TIME ZONE 'UTC')::timestamp "
                        + "FROM pg_stat_activity WHERE pid = " + reportPid)) {
                    rs.next();
                    reportStart = rs.getObject(1, LocalDateTime.class);
                }
                Thread.sleep(100);   // the walsender's created_at (its transaction's start) after the report's start
                w.execute("BEGIN");
                int walPid = pid(w);
                try (ResultSet rs = o.executeQuery("SELECT backend_type FROM pg_stat_activity WHERE pid = " + walPid)) {
                    rs.next();
                    assertEquals("walsender", rs.getString(1), "the writer is not a client backend");
                }
                String walSql = "INSERT INTO " + table + " (customer_name, amount) VALUES ('from a walsender', 1.00)";
                w.execute(walSql);
                Thread.sleep(100);   // the later rows' created_at after the walsender's
                o.execute("INSERT INTO " + table + " (customer_name, amount) SELECT 'later ' || g, 2.00 "
                        + "FROM generate_series(1, 3) g");
                // A whole poll ran after the later rows committed: it saw them, and held them back.
                ProducerSession.awaitWholePollAfter(o, ProducerSession.now(o), WAIT);
                assertEquals(10, keysInTopic(STACK, c).size(), "rows after the open transactions' start wait for them");

                producer.awaitLine("(pid " + walPid + ", ", WAIT);
                String out = producer.output();
                Matcher open = Pattern.compile("open for (\\d+) s \\(pid " + walPid + ", ").matcher(out);
                assertTrue(open.find(), out);
                int seconds = Integer.parseInt(open.group(1));
                assertTrue(seconds >= 30 && seconds < 60, "named within its first minute, not before 30 s: " + out);
                assertTrue(out.contains("(pid " + walPid + ", application 'it-replication-client', client 127.0.0.1, "
                        + "xact_start not reported, query_start "), out);
                assertTrue(out.contains(", state idle in transaction, query '" + walSql.substring(0, 60)
                        + "'); they are published once it ends"), out);
                assertEquals(10, keysInTopic(STACK, c).size(), "still waiting for the walsender");
                w.execute("COMMIT");

                // The report is the oldest now, open for over 30 s: named at once.
                producer.awaitLine("(pid " + reportPid + ", ", WAIT);
                out = producer.output();
                assertTrue(out.contains("(pid " + reportPid + ", application 'it-report', client 127.0.0.1, xact_start "
                        + Watermark.ISO_MICROS.format(reportStart) + ", query_start "), out);
                assertTrue(out.contains(", state idle in transaction, query '" + reportWords + "'); they are "
                        + "published once it ends"), out);
                assertEquals(10, keysInTopic(STACK, c).size(), "a read-only transaction holds them back too");
                // What the producer said, for the test's report.
                out.lines().filter(l -> l.contains("wait for a transaction open for")).forEach(System.out::println);
                report.rollback();
            }
            awaitTopicHoldsTheTable(STACK, c, WAIT);
            assertEquals(14, keysInTopic(STACK, c).size(), "each order once");
        }
    }

    private static Properties login(PipelineConfig c, String application) {
        Properties p = new Properties();
        p.setProperty("user", c.postgres().user());
        p.setProperty("password", c.postgres().password());
        p.setProperty("ApplicationName", application);
        return p;
    }

    private static int pid(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

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
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The late-commit horizon with a writer that is not a client backend, through the producer
 * script: a logical-replication connection (a walsender, which may run SQL) inserts and keeps
 * its transaction open for over a minute, while other sessions commit newer rows.
 */
class HorizonIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldWaitForAWalsendersOpenTransactionAndSayWhichOneHoldsRowsBack() throws Exception {
        PipelineConfig c = STACK.isolated("walsender", 100_000);
        String table = table(c);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("walsender.yml"));
        Properties replication = new Properties();
        replication.setProperty("user", c.postgres().user());
        replication.setProperty("password", c.postgres().password());
        replication.setProperty("replication", "database");
        replication.setProperty("preferQueryMode", "simple");
        replication.setProperty("assumeMinServerVersion", "9.4");
        replication.setProperty("ApplicationName", "it-replication-client");
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                STACK.dir().resolve("walsender.log"))) {
            awaitTopicHoldsTheTable(STACK, c, WAIT);   // the sample orders
            try (Connection wal = DriverManager.getConnection(c.postgres().jdbcUrl(), replication);
                 Statement w = wal.createStatement(); Connection other = STACK.connect();
                 Statement o = other.createStatement()) {
                w.execute("BEGIN");
                w.execute("INSERT INTO " + table + " (customer_name, amount) VALUES ('from a walsender', 1.00)");
                int pid;
                try (ResultSet rs = w.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pid = rs.getInt(1);
                }
                try (ResultSet rs = o.executeQuery("SELECT backend_type FROM pg_stat_activity WHERE pid = " + pid)) {
                    rs.next();
                    assertEquals("walsender", rs.getString(1), "the writer is not a client backend");
                }
                Thread.sleep(100);   // the later rows' created_at (their transaction's start) after the walsender's
                o.execute("INSERT INTO " + table + " (customer_name, amount) SELECT 'later ' || g, 2.00 "
                        + "FROM generate_series(1, 3) g");
                // A whole poll ran after the later rows committed: it saw them, and held them back.
                ProducerSession.awaitWholePollAfter(o, ProducerSession.now(o), WAIT);
                assertEquals(10, keysInTopic(STACK, c).size(), "rows after the open transaction's start wait for it");
                producer.awaitLine("wait for a transaction open for", WAIT);
                String out = producer.output();
                assertTrue(out.contains("(pid " + pid + ", application 'it-replication-client'); they are published "
                        + "once it ends"), out);
                assertEquals(10, keysInTopic(STACK, c).size(), "still waiting after a minute");
                w.execute("COMMIT");
            }
            awaitTopicHoldsTheTable(STACK, c, WAIT);
            assertEquals(14, keysInTopic(STACK, c).size(), "each order once");
        }
    }
}

package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.ScriptProcess;
import foodcdc.stack.TcpRelay;
import foodcdc.stack.TestStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The producer script behind a network that goes dark without a reset (a relay that stops
 * forwarding but closes nothing): it must say it is waiting for PostgreSQL within a bounded
 * time instead of blocking a poll forever, and publish everything once the network is back.
 */
class NetworkBlackHoleIT {
    private static final TestStack STACK = TestStack.shared();

    @Test
    void shouldSayItWaitsForPostgresWhenTheNetworkGoesDarkAndResumeAfterwards() throws Exception {
        PipelineConfig direct = STACK.isolated("black_hole", 100_000);
        var pg = direct.postgres();
        try (TcpRelay relay = new TcpRelay(pg.port())) {
            PipelineConfig c = new PipelineConfig(new PipelineConfig.Postgres(
                    "jdbc:postgresql://127.0.0.1:" + relay.port() + "/" + pg.db(), pg.host(), relay.port(), pg.db(),
                    pg.user(), pg.password(), pg.table()), direct.kafka(), direct.datalake(), direct.streaming());
            Path config = TestStack.writeConfig(c, STACK.dir().resolve("black_hole.yml"));
            ScriptProcess producer = ScriptProcess.launch("producer_spark_submit.sh", config,
                    STACK.dir().resolve("black_hole.log"));
            try {
                awaitTopicHoldsTheTable(c, Duration.ofSeconds(90));
                relay.blackHole();
                long dark = System.nanoTime();
                try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
                    s.execute("INSERT INTO " + ProducerIT.table(c) + " (customer_name, amount) VALUES ('in the dark', 3.00)");
                }
                producer.awaitLine("Waiting for PostgreSQL at 127.0.0.1:" + relay.port(), Duration.ofSeconds(75));
                System.out.printf("black hole: 'Waiting for PostgreSQL' after %d s%n",
                        Duration.ofNanos(System.nanoTime() - dark).toSeconds());
                assertEquals(10, ProducerIT.keysInTopic(c).size(), "nothing could be read in the dark");
                relay.restore();
                awaitTopicHoldsTheTable(c, Duration.ofSeconds(90));
                assertEquals(11, ProducerIT.keysInTopic(c).size());
            } finally {
                producer.stop(Duration.ofSeconds(60));
            }
        }
    }

    private static void awaitTopicHoldsTheTable(PipelineConfig c, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Integer> table = ProducerIT.idsInTable(c);
        while (!new TreeSet<>(ProducerIT.keysInTopic(c)).equals(table)) {
            assertTrue(System.nanoTime() < deadline, "the topic does not hold " + table + " after " + timeout);
            Thread.sleep(500);
        }
    }
}

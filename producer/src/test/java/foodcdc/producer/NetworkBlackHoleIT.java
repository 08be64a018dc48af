package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.ScriptProcess;
import foodcdc.stack.TcpRelay;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The producer script behind a network that goes dark without a reset (a relay that stops
 * forwarding but closes nothing) while a poll's statement waits for its answer: it must say it
 * is waiting for PostgreSQL within a bounded time instead of blocking that poll forever, and
 * publish everything once the network is back.
 */
class NetworkBlackHoleIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    @Test
    void shouldSayItWaitsForPostgresWhenTheNetworkGoesDarkAndResumeAfterwards() throws Exception {
        PipelineConfig direct = STACK.isolated("black_hole", 100_000);
        var pg = direct.postgres();
        try (TcpRelay relay = new TcpRelay(pg.port())) {
            PipelineConfig c = direct.withPostgres(pg.withServer("127.0.0.1", relay.port(), pg.db()));
            Path config = ConfigWriter.write(c, STACK.dir().resolve("black_hole.yml"));
            ScriptProcess producer = ScriptProcess.launch("producer_spark_submit.sh", config,
                    STACK.dir().resolve("black_hole.log"));
            try {
                ProducerIT.awaitTopicHoldsTheTable(c, Duration.ofSeconds(90));
                // Catch a poll with a statement in flight: an exclusive lock holds its SELECT
                // until the network is dark, then the lock goes and the answer never arrives.
                try (Connection locker = STACK.connect(); Statement s = locker.createStatement()) {
                    locker.setAutoCommit(false);
                    s.execute("LOCK TABLE " + ProducerIT.table(c) + " IN ACCESS EXCLUSIVE MODE");
                    s.execute("INSERT INTO " + ProducerIT.table(c) + " (customer_name, amount) VALUES ('in the dark', 3.00)");
                    awaitProducerWaitingForTheLock(s);
                    relay.blackHole();
                    locker.commit();
                }
                long dark = System.nanoTime();
                producer.awaitLine("Waiting for PostgreSQL at 127.0.0.1:" + relay.port(), Duration.ofSeconds(75));
                System.out.printf("black hole: 'Waiting for PostgreSQL' after %d s%n",
                        Duration.ofNanos(System.nanoTime() - dark).toSeconds());
                assertEquals(10, ProducerIT.keysInTopic(c).size(), "nothing could be read in the dark");
                relay.restore();
                ProducerIT.awaitTopicHoldsTheTable(c, Duration.ofSeconds(90));
                assertEquals(11, ProducerIT.keysInTopic(c).size());
            } finally {
                producer.stop(Duration.ofSeconds(60));
            }
        }
    }

    private static void awaitProducerWaitingForTheLock(Statement s) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (var rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                    + "'orders-cdc-producer' AND wait_event_type = 'Lock'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "the producer's poll never reached the locked table");
            Thread.sleep(100);
        }
    }
}

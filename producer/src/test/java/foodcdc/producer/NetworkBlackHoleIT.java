package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.awaitTopicHoldsTheTable;
import static foodcdc.producer.TableAndTopic.keysInTopic;
import static foodcdc.producer.TableAndTopic.table;
import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
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
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                    STACK.dir().resolve("black_hole.log"))) {
                awaitTopicHoldsTheTable(STACK, c, Duration.ofSeconds(90));
                // Catch a poll with a statement in flight: an exclusive lock holds its SELECT
                // until the network is dark, then the lock goes and the answer never arrives.
                try (Connection locker = STACK.connect(); Statement s = locker.createStatement()) {
                    locker.setAutoCommit(false);
                    s.execute("LOCK TABLE " + table(c) + " IN ACCESS EXCLUSIVE MODE");
                    s.execute("INSERT INTO " + table(c) + " (customer_name, amount) VALUES ('in the dark', 3.00)");
                    ProducerSession.awaitWaitingForALock(s, Duration.ofSeconds(30));
                    relay.blackHole();
                    locker.commit();
                }
                long dark = System.nanoTime();
                producer.awaitLine("Waiting for PostgreSQL at 127.0.0.1:" + relay.port(), Duration.ofSeconds(75));
                System.out.printf("black hole: 'Waiting for PostgreSQL' after %d s%n",
                        Duration.ofNanos(System.nanoTime() - dark).toSeconds());
                assertEquals(10, keysInTopic(STACK, c).size(), "nothing could be read in the dark");
                relay.restore();
                awaitTopicHoldsTheTable(STACK, c, Duration.ofSeconds(90));
                assertEquals(11, keysInTopic(STACK, c).size());
            }
        }
    }
}

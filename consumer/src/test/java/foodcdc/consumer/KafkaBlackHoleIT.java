package foodcdc.consumer;

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
 * Both job scripts behind a Kafka network that goes dark without a reset: a relay, which the
 * broker advertises as its address, stops forwarding but closes nothing. Each job must say it
 * is waiting for Kafka within a bounded time, and once the network is back every order must
 * reach the lake exactly once. (A stack of its own: the broker's advertised address differs.)
 */
class KafkaBlackHoleIT {
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void shouldSayBothJobsWaitForKafkaWhenItsNetworkGoesDarkAndCatchUpAfterwards() throws Exception {
        try (ThrowawayStack stack = ThrowawayStack.create("kafka_black_hole");
             TcpRelay relay = new TcpRelay(stack.config().kafka().firstBrokerPort())) {
            stack.kafkaAdvertisedPort(relay.port()).start(false);
            PipelineConfig s = stack.config();
            PipelineConfig c = s.withKafka(s.kafka().withBrokers("127.0.0.1:" + relay.port()));
            Path config = ConfigWriter.write(c, stack.dir().resolve("via_relay.yml"));
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                    stack.dir().resolve("producer.log"));
                 JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config,
                         stack.dir().resolve("consumer.log"))) {
                LakeFiles.awaitOrders(c.datalake().path(), 10, WAIT);   // the sample orders
                relay.blackHole();
                long dark = System.nanoTime();
                try (Connection db = stack.connect(); Statement st = db.createStatement()) {
                    st.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) VALUES ('in the dark', 4.00)");
                }
                String waiting = "Waiting for Kafka at 127.0.0.1:" + relay.port();
                consumer.awaitLine(waiting, Duration.ofSeconds(90));
                System.out.printf("Kafka black hole: consumer waiting after %d s%n", secondsSince(dark));
                producer.awaitLine(waiting, Duration.ofSeconds(90));
                System.out.printf("Kafka black hole: producer waiting after %d s%n", secondsSince(dark));
                relay.restore();
                LakeFiles.awaitOrders(c.datalake().path(), 11, WAIT);
                try (Connection db = stack.connect()) {
                    assertEquals(OrderRows.inPostgres(db, c.postgres().table(), "true"),
                            OrderRows.inLake(c.datalake().path()), "every order once, every column");
                }
            }
        }
    }

    private static long secondsSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toSeconds();
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.LocalStack;
import foodcdc.stack.ThrowawayStack;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL and then Kafka are down for 30 s each while both jobs run, as users run them.
 * Each job that needs the missing service says, within the outage, that it waits for it and
 * for which address; once it is back they catch up: the lake holds every row once with PostgreSQL's values. Uses
 * a stack of its own, since it stops services.
 */
class PipelineOutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    @Test
    void shouldWaitOutThirtySecondOutagesOfPostgresAndKafkaWhileBothJobsRun() throws Exception {
        try (ThrowawayStack stack = ThrowawayStack.create("outage").start(false)) {
            PipelineConfig c = stack.config();
            String lake = c.datalake().path();
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", stack.configFile(),
                    stack.dir().resolve("producer.log"));
                 JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", stack.configFile(),
                         stack.dir().resolve("consumer.log"))) {
                LakeFiles.awaitOrders(lake, 10, Duration.ofSeconds(180));

                long down = System.nanoTime();
                stack.stack().stop(LocalStack.POSTGRES);
                String pgAddress = c.postgres().host() + ":" + c.postgres().port();
                producer.awaitLine("Waiting for PostgreSQL at " + pgAddress, OUTAGE);
                sleepUntil(down + OUTAGE.toNanos());
                stack.start(false);
                insert(stack, c, 5);
                LakeFiles.awaitOrders(lake, 15, Duration.ofSeconds(120));

                down = System.nanoTime();
                stack.stack().stop(LocalStack.KAFKA);
                insert(stack, c, 5);
                String waitingForKafka = "Waiting for Kafka at " + c.kafka().brokers();
                producer.awaitLine(waitingForKafka, OUTAGE);
                consumer.awaitLine(waitingForKafka, OUTAGE);
                sleepUntil(down + OUTAGE.toNanos());
                stack.start(false);
                LakeFiles.awaitOrders(lake, 20, Duration.ofSeconds(180));

                assertTrue(producer.isAlive() && consumer.isAlive(), "a job ended during an outage");
                assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
                assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");

                try (Connection conn = stack.connect()) {
                    assertEquals(OrderRows.inPostgres(conn, c.postgres().table(), "true"), OrderRows.inLake(lake));
                }
                // What a user reads during the outages, for the test report.
                for (JobProcess job : new JobProcess[] {producer, consumer}) {
                    job.output().lines().filter(l -> l.contains("Waiting for") || l.contains("is back"))
                            .forEach(l -> System.out.println((job == producer ? "producer: " : "consumer: ") + l));
                    assertFalse(job.output().contains(c.postgres().password()), "password in a job's output");
                }
            }
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
        }
    }

    private static void insert(ThrowawayStack stack, PipelineConfig c, int rows) throws Exception {
        try (Connection conn = stack.connect(); Statement s = conn.createStatement()) {
            s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, restaurant_name, item, amount, "
                    + "order_status) SELECT 'Outage ' || g, 'R', 'I', 5.00, 'PLACED' FROM generate_series(1, " + rows
                    + ") g");
        }
    }
}

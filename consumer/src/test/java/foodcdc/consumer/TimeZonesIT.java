package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Orders written by clients in other time zones, through both job scripts: a JDBC session whose
 * TimeZone is America/New_York, and insert_test_data.sh run in a JVM in Asia/Kolkata. With a
 * session-dependent created_at default the first lands five hours behind the watermark and is
 * never published, the second is held back five and a half hours; here both must reach the
 * lake within the usual latency, each with its true instant and in its UTC day's folder.
 */
class TimeZonesIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void shouldLandOrdersFromSessionsInOtherTimeZonesPromptlyWithTheirTrueInstant() throws Exception {
        PipelineConfig c = STACK.isolated("time_zones", 100_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("time_zones.yml"));
        Path log = STACK.dir().resolve("time_zones.log");
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            LakeFiles.awaitOrders(c.datalake().path(), 10, WAIT);   // the sample orders

            Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            int newYork;
            try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
                s.execute("SET TIME ZONE 'America/New_York'");
                try (ResultSet rs = s.executeQuery("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, "
                        + "restaurant_name, item, amount, order_status) VALUES ('Ava Miller', 'Bagel Bros', "
                        + "'Lox Bagel', 12.50, 'PLACED') RETURNING order_id")) {
                    rs.next();
                    newYork = rs.getInt(1);
                }
            }
            // The script's JVM takes its zone from TZ, as on a laptop in India.
            JobProcess.Finished kolkata = JobProcess.run("insert_test_data.sh", List.of("--config", config.toString()),
                    Map.of("TZ", "Asia/Kolkata"), Duration.ofSeconds(60));
            assertEquals(0, kolkata.exit(), kolkata.all());
            Instant after = Instant.now();
            long inserted = System.nanoTime();

            LakeFiles.awaitOrders(c.datalake().path(), 16, WAIT);
            long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - inserted);
            assertTrue(latencyMs < 30_000, "the usual latency is seconds, not hours: " + latencyMs + " ms");

            List<OrderRows.OrderRow> lake = OrderRows.inLake(c.datalake().path());
            List<OrderRows.OrderRow> fresh = new ArrayList<>(lake.subList(10, lake.size()));
            assertEquals(newYork, fresh.get(0).orderId());
            assertEquals(6, fresh.size());
            for (OrderRows.OrderRow r : fresh) {
                Instant createdAt = Instant.EPOCH.plus(r.createdAtMicros(), ChronoUnit.MICROS);
                assertTrue(!createdAt.isBefore(before.minusSeconds(1)) && !createdAt.isAfter(after.plusSeconds(1)),
                        "order " + r.orderId() + " carries its true instant: " + createdAt + " not within "
                                + before + " .. " + after);
            }
            try (Connection conn = STACK.connect()) {
                assertEquals(OrderRows.inPostgres(conn, c.postgres().table(), "true"), lake, "every column");
            }
            List<String> files = List.of(LakeFiles.parquetFiles(c.datalake().path()));
            for (OrderRows.OrderRow r : fresh) {
                String day = Instant.EPOCH.plus(r.createdAtMicros(), ChronoUnit.MICROS).toString().substring(0, 10);
                assertTrue(files.stream().anyMatch(f -> f.contains("/date=" + day + "/")), day + " not in " + files);
            }
        }
    }
}

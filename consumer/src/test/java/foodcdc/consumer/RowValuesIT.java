package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.consumer.OrderRows.OrderRow;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Values that trip up serialisers, through both jobs as users run them: text in every script
 * and escape, strings at the column limits, amounts at the NUMERIC(10,2) limits and zero,
 * NULL next to the empty string, created_at at microsecond precision (a few explicit past
 * values, inserted before the producer starts). Each value in the lake (read by DuckDB) must
 * equal PostgreSQL's exactly; the invalid ones must be quarantined.
 */
class RowValuesIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    private record Values(String customer, String restaurant, String item, String amount, String status,
                          String createdAt) {
    }

    private static final List<Values> ROWS = List.of(
            new Values("Zoë Ångström-Ñúñez", "Crème Brûlée Café", "Smørrebrød", "12.34", "PLACED", null),
            new Values("李小龍", "东京寿司 · 東京", "ラーメン", "880.00", "PREPARING", null),
            new Values("🍕🍣 lover 👩‍🍳", "🌮 Taco Fiesta", "🍔 x2 + 🍟", "0.00", "DELIVERED", null),
            new Values("Liam O'Brien \"the quote\"", "Back\\slash \\n not a newline", "a/b \\u0041 \\\\", "0.01",
                    "CANCELLED", null),
            new Values("line one\nline two\ttab\r", "{\"order_id\": 1, \"amount\": -5}", "\u2028\u2029\u0001\u001f",
                    "99999999.99", "PLACED", null),
            new Values("😀".repeat(100), "東".repeat(100), "ß".repeat(200), "99999999.99", "PLACED", null),
            new Values("", null, null, "-0.00", null, null),
            new Values(null, "", "", "1.00", "", "2024-02-29T23:59:59.999999"),
            new Values("Microseconds", "Epoch", "First", "1.00", "PLACED", "1970-01-01T00:00:00.000001"),
            new Values("Last of a century", "Y2K", "Last", "1.00", "PLACED", "1999-12-31T23:59:59.999999"),
            new Values("Most negative", "Invalid", "Quarantined", "-99999999.99", "PLACED", null),
            new Values("No amount", "Invalid", "Quarantined", null, "PLACED", null),
            new Values("Smallest negative", "Invalid", "Quarantined", "-0.01", "PLACED", null));

    @Test
    void shouldLandEveryValueExactlyAsPostgresHoldsIt() throws Exception {
        PipelineConfig c = STACK.isolated("row_values", 100_000);
        insert(c);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("row_values.yml"));
        List<OrderRow> valid;
        List<OrderRow> invalid;
        try (Connection conn = STACK.connect()) {
            valid = OrderRows.inPostgres(conn, c.postgres().table(), OrderRows.VALID);
            invalid = OrderRows.inPostgres(conn, c.postgres().table(), OrderRows.INVALID);
        }
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                STACK.dir().resolve("row_values_producer.log"));
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config,
                     STACK.dir().resolve("row_values_consumer.log"))) {
            LakeFiles.awaitOrders(c.datalake().path(), valid.size(), Duration.ofSeconds(180));
            OrderRows.awaitQuarantined(c.datalake().path(), invalid.size(), Duration.ofSeconds(60), producer, consumer);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");
        }

        assertEquals(10 + ROWS.size() - 3, valid.size(), "10 samples and the valid rows above");
        assertEquals(valid, OrderRows.inLake(c.datalake().path()));
        Map<Integer, String> expected = new TreeMap<>();
        invalid.forEach(r -> expected.put(r.orderId(), OrderRows.expectedReason(r)));
        assertEquals(expected, OrderRows.quarantined(c.datalake().path()));
    }

    private static void insert(PipelineConfig c) throws Exception {
        try (Connection conn = STACK.connect(); PreparedStatement s = conn.prepareStatement("INSERT INTO \""
                + c.postgres().table() + "\" (customer_name, restaurant_name, item, amount, order_status, created_at) "
                + "VALUES (?, ?, ?, ?, ?, COALESCE(CAST(? AS TIMESTAMP), now() AT TIME ZONE 'UTC'))")) {
            for (Values v : ROWS) {
                s.setString(1, v.customer());
                s.setString(2, v.restaurant());
                s.setString(3, v.item());
                if (v.amount() == null) {
                    s.setNull(4, Types.NUMERIC);
                } else {
                    s.setBigDecimal(4, new BigDecimal(v.amount()));
                }
                s.setString(5, v.status());
                if (v.createdAt() == null) {
                    s.setNull(6, Types.TIMESTAMP);
                } else {
                    s.setObject(6, LocalDateTime.parse(v.createdAt()));
                }
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.contract.CleaningRules;
import foodcdc.stack.TestSpark;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The cleaning rules on a small static frame shaped like Spark's Kafka source (no Kafka). */
class OrderCleaningTest {
    private static final SparkSession SPARK = TestSpark.session();
    private static final Pattern ORDER_ID = Pattern.compile("\"order_id\": (\\d+)");

    private static final StructType KAFKA = new StructType()
            .add("key", DataTypes.BinaryType)
            .add("value", DataTypes.BinaryType)
            .add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType)
            .add("offset", DataTypes.LongType)
            .add("timestamp", DataTypes.TimestampType);

    private static String event(String orderId, String amount, String createdAt) {
        return "{\"order_id\": " + orderId + ", \"customer_name\": \"John Doe\", \"restaurant_name\": \"Burger Junction\","
                + " \"item\": \"Veg Burger\", \"amount\": " + amount + ", \"order_status\": \"PLACED\""
                + (createdAt == null ? "" : ", \"created_at\": " + createdAt) + "}";
    }

    /** Records keyed as the producer keys them: by the order_id in the value, if any. */
    private static Dataset<Row> kafka(List<byte[]> values) {
        List<byte[]> keys = new ArrayList<>();
        for (byte[] v : values) {
            Matcher m = ORDER_ID.matcher(v == null ? "" : new String(v, StandardCharsets.UTF_8));
            keys.add(m.find() ? utf8(m.group(1)) : null);
        }
        return kafka(keys, values);
    }

    private static Dataset<Row> kafka(List<byte[]> keys, List<byte[]> values) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            rows.add(RowFactory.create(keys.get(i), values.get(i), "orders", 1, (long) i, Timestamp.from(Instant.EPOCH)));
        }
        return SPARK.createDataFrame(rows, KAFKA);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldGiveEveryRecordTheFirstReasonThatApplies() {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("valid", utf8(event("101", "220.00", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("not json", utf8("this is not json"));
        cases.put("truncated json", utf8("{\"order_id\": 5, \"amount\": 1"));
        cases.put("json array", utf8("[1, 2, 3]"));
        cases.put("id of the wrong type", utf8(event("\"abc\"", "1.00", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("amount of the wrong type", utf8(event("7", "\"lots\"", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("null id", utf8(event("null", "1.00", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("missing id", utf8("{\"amount\": 1.00, \"created_at\": \"2025-11-18T12:24:00.000000Z\"}"));
        cases.put("missing status", utf8(event("12", "1.00", "\"2025-11-18T12:24:00.000000Z\"")
                .replace(", \"order_status\": \"PLACED\"", "")));
        cases.put("extra field", utf8(event("13", "1.00", "\"2025-11-18T12:24:00.000000Z\"")
                .replace("}", ", \"tip\": 5}")));
        cases.put("null amount", utf8(event("8", "null", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("negative amount", utf8(event("9", "-0.01", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("no created_at", utf8(event("10", "1.00", null)));
        cases.put("null created_at", utf8(event("14", "1.00", "null")));
        cases.put("not utf-8", new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        cases.put("null value (tombstone)", null);
        cases.put("empty value", new byte[0]);
        cases.put("huge", utf8(event("11", "1.00", "\"2025-11-18T12:24:00.000000Z\"").replace("Veg Burger",
                "x".repeat(CleaningRules.MAX_PAYLOAD_BYTES))));

        List<Row> out = OrderCleaning.classify(kafka(new ArrayList<>(cases.values())))
                .orderBy("offset").select("reason").collectAsList();

        List<String> expected = List.of("null", "malformed_json", "malformed_json", "malformed_json", "malformed_json",
                "malformed_json", "null_order_id", "missing_field", "missing_field", "unexpected_field", "null_amount",
                "negative_amount", "missing_field", "null_created_at", "invalid_utf8", "empty_payload", "empty_payload",
                "payload_too_large");
        List<String> got = out.stream().map(r -> String.valueOf(r.getString(0))).toList();
        assertEquals(expected, got, "cases in order: " + cases.keySet());
    }

    @Test
    void shouldQuarantineAValidEventWhoseKeyIsNotItsOrderId() {
        byte[] value = utf8(event("101", "220.00", "\"2025-11-18T12:24:00.000000Z\""));
        List<byte[]> keys = new ArrayList<>();
        keys.add(utf8("101"));
        keys.add(null);
        keys.add(utf8("102"));
        List<Row> out = OrderCleaning.classify(kafka(keys, List.of(value, value, value)))
                .orderBy("offset").select("reason").collectAsList();
        assertEquals(List.of("null", "key_not_order_id", "key_not_order_id"),
                out.stream().map(r -> String.valueOf(r.getString(0))).toList());
    }

    @Test
    void shouldTypeValidEventsAndDateThemByTheirUtcDay() {
        Dataset<Row> classified = OrderCleaning.classify(kafka(List.of(
                utf8(event("1", "220.00", "\"2025-11-18T23:59:59.999999Z\"")),
                utf8(event("2", "0", "\"2025-11-19T00:00:00.000000Z\"")),
                utf8(event("3", "-1", "\"2025-11-19T00:00:00.000000Z\"")))));
        List<Row> lake = OrderCleaning.valid(classified).orderBy("order_id").collectAsList();

        assertEquals(List.of("order_id", "customer_name", "restaurant_name", "item", "amount", "order_status",
                "created_at", "date"), List.of(OrderCleaning.valid(classified).columns()));
        assertEquals(2, lake.size());
        assertEquals(RowFactory.create(1, "John Doe", "Burger Junction", "Veg Burger", new BigDecimal("220.00"), "PLACED",
                Timestamp.from(Instant.parse("2025-11-18T23:59:59.999999Z")), Date.valueOf("2025-11-18")), lake.get(0));
        assertEquals(Date.valueOf("2025-11-19"), lake.get(1).getDate(7));
        assertEquals(new BigDecimal("0.00"), lake.get(1).getDecimal(4));
    }

    /** A change event as the producer writes it in change capture mode. */
    private static String change(String orderId, String amount, String op, String changeId, String changedAt) {
        return event(orderId, amount, "\"2025-11-18T12:24:00.000000Z\"").replace("}", ", \"op\": " + op
                + ", \"change_id\": " + changeId + ", \"changed_at\": " + changedAt + "}");
    }

    @Test
    void shouldCleanChangeEventsByTheOrdersRulesAndTheirOwn() {
        String at = "\"2025-11-19T08:00:00.000001Z\"";
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("update", utf8(change("101", "220.00", "\"u\"", "7", at)));
        cases.put("snapshot row", utf8(change("102", "1.00", "\"r\"", "1", at)));
        cases.put("delete", utf8(change("103", "1.00", "\"d\"", "8", at)));
        cases.put("an update to a negative amount", utf8(change("104", "-5.00", "\"u\"", "9", at)));
        cases.put("unknown op", utf8(change("105", "1.00", "\"x\"", "10", at)));
        cases.put("null op", utf8(change("106", "1.00", "null", "11", at)));
        cases.put("null change_id", utf8(change("107", "1.00", "\"c\"", "null", at)));
        cases.put("null changed_at", utf8(change("108", "1.00", "\"c\"", "12", "null")));
        cases.put("an insert event (no change fields)", utf8(event("109", "1.00", "\"2025-11-18T12:24:00.000000Z\"")));
        cases.put("a delete of a row with a negative amount", utf8(change("110", "-5.00", "\"d\"", "13", at)));
        cases.put("a delete without an order_id", utf8(change("null", "1.00", "\"d\"", "14", at)));

        List<Row> out = OrderCleaning.classify(kafka(new ArrayList<>(cases.values())), EventShape.CHANGES)
                .orderBy("offset").select("reason").collectAsList();

        assertEquals(List.of("null", "null", "null", "negative_amount", "unknown_op", "unknown_op", "null_change_id",
                "null_changed_at", "missing_field", "null", "null_order_id"), out.stream().map(r -> String.valueOf(r.getString(0))).toList(),
                "cases in order: " + cases.keySet());
    }

    @Test
    void shouldKeepAChangesTenColumnsAndDateItByTheUtcDayItHappened() {
        Dataset<Row> classified = OrderCleaning.classify(kafka(List.of(
                utf8(change("1", "220.00", "\"u\"", "5000000000", "\"2025-11-19T00:00:00.000000Z\"")))),
                EventShape.CHANGES);
        Dataset<Row> lake = OrderCleaning.valid(classified, EventShape.CHANGES);
        assertEquals(List.of("order_id", "customer_name", "restaurant_name", "item", "amount", "order_status",
                "created_at", "op", "change_id", "changed_at", "date"), List.of(lake.columns()));
        Row r = lake.first();
        assertEquals("u", r.getString(7));
        assertEquals(5_000_000_000L, r.getLong(8), "a change_id past 32 bits");
        assertEquals(Timestamp.from(Instant.parse("2025-11-19T00:00:00Z")), r.getTimestamp(9));
        assertEquals(Date.valueOf("2025-11-19"), r.getDate(10), "the day of changed_at, not of created_at");
        assertEquals(List.of(5_000_000_000L), OrderCleaning.summarize(classified, EventShape.CHANGES).validIds());
    }

    @Test
    void shouldKeepWhatAnOperatorNeedsOfARejectedRecord() {
        Dataset<Row> classified = OrderCleaning.classify(kafka(List.of(utf8("oops"))));
        Row r = OrderCleaning.rejected(classified, functions.lit(Timestamp.from(Instant.EPOCH))).first();
        assertEquals("malformed_json", r.getAs("reason"));
        assertEquals("oops", r.getAs("payload"));
        assertEquals("orders", r.getAs("topic"));
        assertEquals(1, (int) r.getAs("partition"));
        assertEquals(0L, (long) r.getAs("offset"));
        assertEquals("oops", new String((byte[]) r.getAs("raw_value"), StandardCharsets.UTF_8));
    }

    @Test
    void shouldGiveTheQuarantinesColumnsAsItsMergesReadThem() {
        StructType written = OrderCleaning.rejected(OrderCleaning.classify(kafka(List.of(utf8("oops")))),
                functions.current_timestamp()).schema();
        assertEquals(OrderCleaning.QUARANTINE.asNullable().simpleString(), written.asNullable().simpleString());
    }
}

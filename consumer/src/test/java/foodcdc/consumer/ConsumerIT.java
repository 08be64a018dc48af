package foodcdc.consumer;

import static foodcdc.consumer.TopicEvents.event;
import static foodcdc.consumer.TopicEvents.send;
import static foodcdc.consumer.TopicEvents.sendRecords;
import static foodcdc.consumer.TopicEvents.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.stack.TestSpark;
import foodcdc.stack.ThrowawayStack;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;

/** The consumer against a real Kafka broker and Spark, reading the lake back by listing its files. */
class ConsumerIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private final SparkSession spark = TestSpark.session();

    @Test
    void shouldLandExactlyTheValidOrdersOnceAndQuarantineTheRestWithTheirReasons() throws Exception {
        PipelineConfig c = STACK.isolated("consumer_mix", 100_000);
        StreamingQuery query = ConsumerJob.start(spark, c);
        try {
            send(c, List.of(
                    utf8(event(1, "220.00", "2025-11-18T12:24:00.000000Z")),
                    utf8(event(2, "0.50", "2025-11-18T12:24:00.000001Z")),
                    utf8(event(1, "220.00", "2025-11-18T12:24:00.000000Z")),     // same batch duplicate
                    utf8("not json at all"),
                    utf8(event(3, "-4.00", "2025-11-18T12:25:00.000000Z")),
                    utf8(event(6, "1.00", "2025-11-18T12:25:00Z").replace("\"order_id\":6", "\"order_id\":null")),
                    new byte[] {(byte) 0xc3, (byte) 0x28}));
            query.processAllAvailable();
            send(c, List.of(
                    utf8(event(2, "0.50", "2025-11-18T12:24:00.000001Z")),        // duplicate, later batch
                    utf8(event(4, "13.37", "2025-11-19T08:00:00.000000Z")),
                    utf8(event(5, "1.00", "2025-11-19T09:00:00Z").replace("\"amount\":1.00", "\"amount\":null"))));
            query.processAllAvailable();
        } finally {
            query.stop();
        }

        String[] lakeFiles = LakeFiles.parquetFiles(c.datalake().path());
        List<Row> lake = spark.read().option("basePath", c.datalake().path()).parquet(lakeFiles)
                .orderBy("order_id").collectAsList();
        assertEquals(List.of(
                row(1, "220.00", "2025-11-18T12:24:00Z", "2025-11-18"),
                row(2, "0.50", "2025-11-18T12:24:00.000001Z", "2025-11-18"),
                row(4, "13.37", "2025-11-19T08:00:00Z", "2025-11-19")), lake);
        assertTrue(Stream.of(lakeFiles).allMatch(f -> f.matches(".*/date=\\d{4}-\\d{2}-\\d{2}/batch-\\d+-[0-9a-f-]{36}\\.parquet")),
                List.of(lakeFiles).toString());

        Map<Long, String> reasons = spark.read().parquet(LakeFiles.parquetFiles(c.datalake().path() + "_quarantine"))
                .collectAsList().stream().collect(Collectors.toMap(
                        r -> r.<Long>getAs("offset") * 10 + r.<Integer>getAs("partition"),
                        r -> r.<String>getAs("reason") + ":" + r.getAs("payload"), (a, b) -> a, TreeMap::new));
        assertEquals(List.of("invalid_utf8", "malformed_json", "negative_amount", "null_amount", "null_order_id"),
                reasons.values().stream().map(v -> v.substring(0, v.indexOf(':'))).sorted().toList(), reasons.toString());
        assertTrue(reasons.values().contains("malformed_json:not json at all"), reasons.toString());
    }

    @Test
    void shouldQuarantineEveryKindOfBadEventAndLandTheValidOnesAroundThem() throws Exception {
        PipelineConfig c = STACK.isolated("consumer_bad_events", 100_000);
        String topic = c.kafka().topic();
        String valid = event(7, "1.00", "2025-11-18T12:00:00Z");
        // Each bad record with the reason it must be quarantined for; a valid order between each two.
        List<Bad> bad = List.of(
                new Bad("malformed_json", utf8("<order id=7/>")),
                new Bad("malformed_json", utf8(valid.substring(0, valid.length() / 2))),             // truncated
                new Bad("malformed_json", utf8(valid.replace("\"amount\":1.00", "\"amount\":\"a lot\""))), // wrong type
                new Bad("unexpected_field", utf8(valid.replace("}", ",\"tip\":2.50}"))),
                new Bad("missing_field", utf8(valid.replace(",\"item\":\"Item 7\"", ""))),
                new Bad("empty_payload", null),                                                    // a tombstone
                new Bad("empty_payload", new byte[0]),
                new Bad("key_not_order_id", utf8(valid)),                                          // sent with a null key
                new Bad("invalid_utf8", new byte[] {'{', (byte) 0xff, '}'}),
                new Bad("payload_too_large", utf8(valid.replace("Item 7", "x".repeat(1_000_000)))));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        int id = 100;
        for (Bad b : bad) {
            records.add(new ProducerRecord<>(topic, utf8(Integer.toString(id)),
                    utf8(event(id, "1.00", "2025-11-18T12:00:00Z"))));
            id++;
            byte[] key = b.reason().equals("key_not_order_id") ? null : utf8("7");
            records.add(new ProducerRecord<>(topic, key, b.value()));
        }
        records.add(new ProducerRecord<>(topic, utf8(Integer.toString(id)), utf8(event(id, "1.00", "2025-11-18T12:00:00Z"))));

        StreamingQuery query = ConsumerJob.start(spark, c);
        try {
            sendRecords(c, records.subList(0, 9));
            query.processAllAvailable();
            sendRecords(c, records.subList(9, records.size()));
            query.processAllAvailable();
        } finally {
            query.stop();
        }

        List<Integer> landed = spark.read().parquet(LakeFiles.parquetFiles(c.datalake().path())).select("order_id")
                .collectAsList().stream().map(r -> r.getInt(0)).sorted().toList();
        assertEquals(IntStream.rangeClosed(100, 110).boxed().toList(), landed, "the valid orders around the bad ones");
        Map<String, String> quarantined = new TreeMap<>();
        for (Row r : spark.read().parquet(LakeFiles.parquetFiles(c.datalake().path() + "_quarantine"))
                .select("raw_value", "reason").collectAsList()) {
            byte[] raw = r.getAs("raw_value");
            quarantined.merge(raw == null ? "(null)" : Base64.getEncoder().encodeToString(raw), r.getAs("reason"),
                    (a, b) -> a + "," + b);
        }
        Map<String, String> expected = new TreeMap<>();
        bad.forEach(b -> expected.put(b.value() == null ? "(null)" : Base64.getEncoder().encodeToString(b.value()),
                b.reason()));
        assertEquals(expected, quarantined);
    }

    private record Bad(String reason, byte[] value) {
    }

    @Test
    void shouldCompactTheQuarantineAndStillHoldEveryRejectedRecordOnce() throws Exception {
        PipelineConfig base = STACK.isolated("consumer_quarantine_merge", 100_000);
        PipelineConfig c = base.withStreaming(base.streaming().withTrigger(100, 100_000));
        List<String> expected = new ArrayList<>();   // reason:payload, as each was sent
        StreamingQuery query = ConsumerJob.start(spark, c);
        try {
            // One rejected record per micro-batch, so one quarantine file each: batches 0 to 11.
            for (int b = 0; b < 12; b++) {
                String payload = b % 2 == 0 ? event(b + 1, "-1.00", "2025-11-18T12:00:00Z") : "not json " + b;
                expected.add((b % 2 == 0 ? "negative_amount:" : "malformed_json:") + payload);
                send(c, List.of(utf8(payload)));
                query.processAllAvailable();
            }
        } finally {
            query.stop();
        }

        // Batch 10 merged batches 0-9 (its own file stays out: it could still be replayed); 11 merged nothing.
        Path quarantine = Path.of(c.datalake().path() + "_quarantine");
        List<String> names;
        try (Stream<Path> files = Files.list(quarantine)) {
            names = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        String id = query.id().toString();
        assertEquals(3, names.size(), names.toString());
        assertEquals(List.of(LakeLayout.batchFile(id, 10), LakeLayout.batchFile(id, 11)), names.subList(0, 2));
        assertTrue(names.get(2).matches("merged-L1-[0-9a-f-]{36}\\.parquet"), names.toString());
        List<String> read = spark.read().parquet(LakeFiles.parquetFiles(quarantine.toString()))
                .select("reason", "payload").collectAsList().stream()
                .map(r -> r.getString(0) + ":" + r.getString(1)).sorted().toList();
        assertEquals(expected.stream().sorted().toList(), read, "every rejected record once, with its reason");
    }

    @Test
    void shouldDateOrdersByTheirUtcDayWhenTheJvmZoneIsNotUtc() throws Exception {
        TimeZone original = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Tokyo"));
        try {
            PipelineConfig c = STACK.isolated("consumer_tz", 100_000);
            StreamingQuery query = ConsumerJob.start(spark, c);
            try {
                send(c, List.of(utf8(event(1, "1.00", "2025-12-31T23:59:59.999999Z")),
                        utf8(event(2, "1.00", "2026-01-01T00:00:00.000000Z"))));
                query.processAllAvailable();
            } finally {
                query.stop();
            }
            List<String> files = Stream.of(LakeFiles.parquetFiles(c.datalake().path()))
                    .map(f -> f.substring(c.datalake().path().length())).toList();
            assertEquals(2, files.size(), files.toString());
            assertTrue(files.get(0).startsWith("/date=2025-12-31/"), files.toString());
            assertTrue(files.get(1).startsWith("/date=2026-01-01/"), files.toString());
            List<Row> lake = spark.read().option("basePath", c.datalake().path()).parquet(LakeFiles.parquetFiles(c.datalake().path()))
                    .orderBy("order_id").select("order_id", "created_at").collectAsList();
            assertEquals(Timestamp.from(Instant.parse("2025-12-31T23:59:59.999999Z")), lake.get(0).getTimestamp(1));
            assertEquals(Timestamp.from(Instant.parse("2026-01-01T00:00:00Z")), lake.get(1).getTimestamp(1));
        } finally {
            TimeZone.setDefault(original);
        }
    }

    private static Row row(int id, String amount, String createdAt, String date) {
        return org.apache.spark.sql.RowFactory.create(id, "Customer " + id, "R", "Item " + id, new BigDecimal(amount),
                "PLACED", Timestamp.from(Instant.parse(createdAt)), java.sql.Date.valueOf(date));
    }
}

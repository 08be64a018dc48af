package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The local stack against real PostgreSQL, Kafka and Spark processes. */
class LocalStackIT {

    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    private static String table() {
        return "\"" + STACK.config().postgres().table() + "\"";
    }

    private static int count(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table())) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void shouldCreateTheTableWithItsSampleOrdersInUtc() throws Exception {
        try (Connection c = STACK.connect(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT customer_name), "
                    + "count(DISTINCT restaurant_name), count(DISTINCT order_status), min(order_id), "
                    + "current_setting('TimeZone') FROM " + table() + " WHERE order_id <= 10");
            rs.next();
            assertEquals(10, rs.getInt(1), "sample orders");
            assertTrue(rs.getInt(2) >= 5 && rs.getInt(3) >= 5, "several customers and restaurants");
            assertEquals(4, rs.getInt(4), "every status");
            assertEquals(1, rs.getInt(5));
            assertEquals("UTC", rs.getString(6));
        }
    }

    @Test
    void shouldReadBackARowInsertedOverJdbcWithCreatedAtFromTheDatabase() throws Exception {
        try (Connection c = STACK.connect()) {
            LocalDateTime before = LocalDateTime.now(ZoneOffset.UTC).minusSeconds(1);
            int id;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table()
                    + " (customer_name, restaurant_name, item, amount, order_status) VALUES (?, ?, ?, ?, ?) "
                    + "RETURNING order_id")) {
                insert.setString(1, "Smoke Test");
                insert.setString(2, "Test Kitchen");
                insert.setString(3, "Smoke Sandwich");
                insert.setBigDecimal(4, new BigDecimal("12.34"));
                insert.setString(5, "PLACED");
                ResultSet rs = insert.executeQuery();
                rs.next();
                id = rs.getInt(1);
            }
            try (PreparedStatement read = c.prepareStatement("SELECT customer_name, amount, order_status, created_at "
                    + "FROM " + table() + " WHERE order_id = ?")) {
                read.setInt(1, id);
                ResultSet rs = read.executeQuery();
                assertTrue(rs.next());
                assertEquals("Smoke Test", rs.getString(1));
                assertEquals(new BigDecimal("12.34"), rs.getBigDecimal(2));
                assertEquals("PLACED", rs.getString(3));
                LocalDateTime created = rs.getObject(4, LocalDateTime.class);
                assertTrue(!created.isBefore(before) && created.isBefore(before.plusMinutes(1)),
                        "created_at is the database's UTC now(): " + created + " vs " + before);
            }
        }
    }

    @Test
    void shouldLeaveTheTableAsItIsWhenTheScriptRunsAgain() throws Exception {
        try (Connection c = STACK.connect()) {
            int before = count(c);
            new PostgresServer(new StackLayout(Repository.home(), STACK.dir().resolve("stack")),
                    STACK.config().postgres(), java.util.Optional.empty()).bootstrap(false);
            assertEquals(before, count(c));
        }
    }

    @Test
    void shouldCarryARecordThroughTheRealBroker() throws Exception {
        PipelineConfig.Kafka kafka = STACK.config().kafka();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers()))) {
            int partitions = admin.describeTopics(Set.of(kafka.topic())).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get(kafka.topic()).partitions().size();
            assertEquals(3, partitions);
        }
        String value = "{\"order_id\": 4242, \"smoke\": \"" + System.nanoTime() + "\"}";
        RecordMetadata sent;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            sent = producer.send(new ProducerRecord<>(kafka.topic(), "4242", value)).get(30, TimeUnit.SECONDS);
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + System.nanoTime());
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(kafka.topic()));
            Wait.until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                return received;
            }, got -> got.stream().anyMatch(r -> r.value().equals(value)), Duration.ofSeconds(60),
                    "the record consumed back");
        }
        ConsumerRecord<String, String> got = received.stream().filter(r -> r.value().equals(value)).findFirst()
                .orElseThrow();
        assertEquals("4242", got.key());
        assertEquals(sent.partition(), got.partition());
        assertEquals(sent.offset(), got.offset());
    }

    @Test
    void shouldKeepRunningComponentsWhenStartedTwice() throws Exception {
        List<String> before = STACK.stack().status();
        STACK.start(false);
        assertEquals(before, STACK.stack().status());
        assertTrue(before.get(0).matches("postgres +running +pid \\d+  127\\.0\\.0\\.1:\\d+"), before.get(0));
        assertTrue(before.get(1).matches("kafka +running +pid \\d+  127\\.0\\.0\\.1:\\d+"), before.get(1));
        assertTrue(before.get(2).matches("spark-master +not running *"), before.get(2));
    }

    /** A second stack beside the shared one, with a Spark cluster; stop leaves no process behind. */
    @Test
    void shouldRunASecondStackWithAClusterBesideTheFirstAndStopEveryProcess() throws Exception {
        try (ThrowawayStack second = ThrowawayStack.create("second")) {
            second.start(true);
            StackState state = StackState.load(second.dir().resolve("stack/stack.properties"));
            List<Long> pids = new ArrayList<>();
            for (String component : List.of("postgres", "kafka", "spark-master", "spark-worker")) {
                pids.add(state.pid(component).orElseThrow());
            }
            assertTrue(second.stack().isRunning("spark-worker"));
            try (Connection c = second.connect(); Connection first = STACK.connect()) {
                assertEquals(10, count(c), "the second stack has its own database");
                assertTrue(count(first) >= 10);
            }
            String json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + state.get("spark-master", "ui_port").orElseThrow() + "/json/")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(json.contains("\"aliveworkers\" : 1"), json);

            second.stack().stop();
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " alive");
            }
            assertTrue(second.stack().status().stream().allMatch(l -> l.contains("not running")));
        }
        assertTrue(STACK.stack().isRunning("kafka"), "the first stack is untouched");
    }

}

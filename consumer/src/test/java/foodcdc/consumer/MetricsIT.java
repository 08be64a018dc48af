package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.Repository;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both jobs' metrics, scraped by a real Prometheus: the counters equal what happened (rows
 * published, orders written, records quarantined by reason), the lag returns to 0, every panel
 * of the dashboard has data, the alert rules pass promtool and load, a dead consumer alerts, and
 * a port already taken stops the job at start naming the key.
 */
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Path MONITORING = Repository.home().resolve("monitoring");
    private static final Path RULES = MONITORING.resolve("prometheus/alerts.yml");

    @Test
    void shouldCountWhatHappenedAsPrometheusSeesIt() throws Exception {
        PipelineConfig c = STACK.isolated("metrics", 100_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("metrics.yml"));
        Path log = STACK.dir().resolve("metrics.log");
        Map<String, String> jobs = Map.of("orders-producer", "127.0.0.1:" + c.metrics().producerPort(),
                "orders-consumer", "127.0.0.1:" + c.metrics().consumerPort());
        try (PrometheusServer prometheus = PrometheusServer.start(STACK.dir().resolve("prometheus"), jobs, List.of(RULES));
             JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            LakeFiles.awaitOrders(c.datalake().path(), 10, WAIT, producer, consumer);   // the sample orders
            try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
                String table = "\"" + c.postgres().table() + "\"";
                s.execute("INSERT INTO " + table + " (customer_name, restaurant_name, item, amount, order_status)"
                        + " SELECT 'c' || i, 'r', 'i', i, 'PLACED' FROM generate_series(1, 20) AS i");
                s.execute("INSERT INTO " + table + " (customer_name, amount) SELECT 'refund', -1 FROM generate_series(1, 3)");
                s.execute("INSERT INTO " + table + " (customer_name, amount) SELECT 'no amount', NULL FROM generate_series(1, 2)");
            }
            LakeFiles.awaitOrders(c.datalake().path(), 30, WAIT, producer, consumer);
            OrderRows.awaitQuarantined(c.datalake().path(), 5, WAIT, producer, consumer);

            awaitValue(prometheus, "sum(orders_producer_rows_published_total)", 35);
            awaitValue(prometheus, "sum(orders_consumer_records_total{outcome=\"written\"})", 30);
            awaitValue(prometheus, "sum(orders_consumer_records_total{outcome=\"quarantined\"})", 5);
            awaitValue(prometheus, "sum(orders_consumer_records_total{outcome=\"duplicate\"})", 0);
            awaitValue(prometheus, "orders_consumer_quarantined_total{reason=\"negative_amount\"}", 3);
            awaitValue(prometheus, "orders_consumer_quarantined_total{reason=\"null_amount\"}", 2);
            awaitValue(prometheus, "sum(orders_consumer_quarantined_total)", 5);
            awaitValue(prometheus, "orders_consumer_kafka_lag_records", 0);
            awaitValue(prometheus, "orders_consumer_index_orders", 30);
            // Each order written once is measured once; the 20 placed by this test within a minute
            // (the sample orders' created_at lies in the past).
            awaitValue(prometheus, "orders_consumer_commit_to_lake_seconds_count", 30);
            assertTrue(prometheus.value("orders_consumer_commit_to_lake_seconds_bucket{le=\"60.0\"}") >= 20,
                    "orders within a minute");
            awaitValue(prometheus, "max(orders_producer_waiting) + max(orders_consumer_waiting)", 0);
            assertTrue(prometheus.value("orders_producer_polls_total") >= 3, "polls");
            assertTrue(prometheus.value("orders_producer_horizon_lag_seconds") < 30, "horizon lag");
            assertEquals(0, prometheus.value("orders_producer_oldest_open_transaction_seconds"));
            assertTrue(prometheus.value("sum(orders_consumer_lake_files)") >= 1, "lake files");
            assertEquals(2, prometheus.query("sum by (job) (jvm_memory_used_bytes{area=\"heap\"})").size(), "JVM metrics");

            assertEveryPanelHasData(prometheus);
            assertRulesPassPromtoolAndLoad(prometheus);

            // A dead consumer: its target is down, and the alert is on its way (pending for its minute).
            consumer.kill();
            awaitValue(prometheus, "up{job=\"orders-consumer\"}", 0);
            Wait.until(() -> alertStates(prometheus, "OrdersJobDown").contains("pending"), Duration.ofSeconds(30),
                    "OrdersJobDown pending");
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop");
        }
        // A port another process holds: the job does not start, and says which key to change.
        try (ServerSocket taken = new ServerSocket(c.metrics().consumerPort(), 1, InetAddress.getByName("127.0.0.1"));
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            assertEquals(3, consumer.awaitExit(WAIT));
            assertTrue(consumer.launchOutput().contains("Consumer cannot start: metrics.consumer_port: cannot serve "
                    + "metrics on 127.0.0.1:" + c.metrics().consumerPort()), consumer.launchOutput());
        }
    }

    private static void awaitValue(PrometheusServer prometheus, String promql, double expected) throws Exception {
        Wait.every(Duration.ofMillis(500)).look(() -> prometheus.value(promql), v -> v == expected,
                Duration.ofSeconds(60), promql + " = " + expected);
    }

    /** Every query of every panel of the dashboard returns at least one series. */
    private static void assertEveryPanelHasData(PrometheusServer prometheus) throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/orders-pipeline.json").toFile());
        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText().replace("$__rate_interval", "1m");
                queries++;
                if (prometheus.query(expr).isEmpty()) {
                    empty.add(panel.path("title").asText() + ": " + expr);
                }
            }
        }
        assertEquals(List.of(), empty, "panels without data");
        assertEquals(16, queries, "the dashboard's queries");
    }

    /** promtool checks the rules and runs their unit tests; the server loaded every rule, healthy. */
    private static void assertRulesPassPromtoolAndLoad(PrometheusServer prometheus) throws Exception {
        assertEquals("", promtool("check", "rules", RULES.toString()), "promtool check rules");
        assertEquals("", promtool("test", "rules", MONITORING.resolve("prometheus/alerts_test.yml").toString()),
                "promtool test rules");
        JsonNode groups = prometheus.api("/api/v1/rules").path("data").path("groups");
        List<String> healthy = new ArrayList<>();
        for (JsonNode group : groups) {
            for (JsonNode rule : group.path("rules")) {
                if ("ok".equals(rule.path("health").asText())) {
                    healthy.add(rule.path("name").asText());
                }
            }
        }
        assertEquals(List.of("OrdersConsumerLagging", "OrdersJobDown", "OrdersConsumerMetricsAbsent",
                "OrdersProducerMetricsAbsent", "OrdersJobWaiting", "OrdersConsumerStalled", "OrdersProducerStalled",
                "OrdersQuarantineRateHigh",
                "OrdersProducerHorizonHeldBack"), healthy);
    }

    /** Runs promtool; its output when it failed, else "". */
    private static String promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PrometheusServer.binary("promtool")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not end");
        assertFalse(out.isBlank(), "promtool said nothing");
        return p.exitValue() == 0 ? "" : out;
    }

    private static List<String> alertStates(PrometheusServer prometheus, String alert) throws Exception {
        List<String> states = new ArrayList<>();
        for (JsonNode a : prometheus.api("/api/v1/alerts").path("data").path("alerts")) {
            if (alert.equals(a.path("labels").path("alertname").asText())) {
                states.add(a.path("state").asText());
            }
        }
        return states;
    }
}

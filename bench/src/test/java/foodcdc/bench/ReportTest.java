package foodcdc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Report sample() {
        Report r = new Report(new BenchOptions(false, 20, 60, List.of(5), 1000, 2, false, true, 0), "2 cores \"test\"");
        r.latency.add(new Report.Latency(5, 0, 0, false, 1200, new Percentiles(1200, 3100, 5200, 5900, 6100), 0, 0,
                Map.of("producer driver", 400L, "consumer driver", 900L)));
        r.latency.add(new Report.Latency(5, 2, 500, false, 1200, new Percentiles(1200, 3410, 5200, 6490, 7000), 0, 0,
                Map.of("consumer driver", 950L)));
        r.latency.add(new Report.Latency(5, 0, 0, true, 1200, new Percentiles(1200, 3300, 5300, 6000, 6200), 0, 0,
                Map.of("consumer driver", 870L)));
        // To Kafka: the first 10 records after 0.5 s, all after 2 s; the consumer alone: 110 after 1 s,
        // all after 3 s; both jobs: all at once after 4 s (no steady part).
        r.backlog = new Report.Backlog(1010, new Drain(1010, 0, 500_000_000L, 10, 2_000_000_000L),
                new Drain(1010, 0, 4_000_000_000L, 1010, 4_000_000_000L),
                new Drain(1010, 0, 1_000_000_000L, 110, 3_000_000_000L), new PlainToolsFloor.Result(0.5, 1.5), 3, 0,
                Map.of("producer driver", 500L));
        return r;
    }

    @Test
    void shouldPrintEveryNumberInTheTable() {
        String table = sample().table();
        assertTrue(table.contains("5 s                     1200     3100     5200     5900     6100        0      0"), table);
        assertTrue(table.contains("5 s, grown lake         1200     3410     5200     6490     7000        0      0"), table);
        assertTrue(table.contains("5 s, updates            1200     3300     5300     6000     6200        0      0"), table);
        assertTrue(table.contains("vs empty lake at batch_interval 5 s: p50 x1.10, p99 x1.10"), table);
        assertTrue(table.contains("table -> Kafka (all published)          2.0      0.5      1.5         667      0.5    4.0x    3.0x"), table);
        assertTrue(table.contains("Kafka -> lake (consumer alone)          3.0      1.0      2.2         450      1.5    2.0x    1.5x"), table);
        assertTrue(table.contains("table -> lake (both jobs at once)       4.0      4.0      4.0         253      2.0    2.0x    2.0x"), table);
        assertTrue(table.contains("Most Parquet files in one listing: 3; duplicates seen: 0"), table);
        assertTrue(table.contains("consumer driver                   900              950              870                0"), table);
        assertTrue(table.contains("producer driver                   400                0                0              500"), table);
    }

    @Test
    void shouldWriteTheSameResultsAsJson() {
        assertEquals("""
                {
                  "machine": "2 cores \\"test\\"",
                  "mode": "local",
                  "rate_per_s": 20,
                  "seconds": 60,
                  "latency": [
                    {"batch_interval_s": 5, "prefilled_files": 0, "prefilled_orders": 0, "updates": false, "orders": 1200, \
                "p50_ms": 3100, "p95_ms": 5200, "p99_ms": 5900, \
                "max_ms": 6100, "missing": 0, "duplicates": 0, "peak_rss_mb": {"consumer driver": 900, "producer driver": 400}},
                    {"batch_interval_s": 5, "prefilled_files": 2, "prefilled_orders": 500, "updates": false, "orders": 1200, \
                "p50_ms": 3410, "p95_ms": 5200, "p99_ms": 6490, \
                "max_ms": 7000, "missing": 0, "duplicates": 0, "peak_rss_mb": {"consumer driver": 950}},
                    {"batch_interval_s": 5, "prefilled_files": 0, "prefilled_orders": 0, "updates": true, "orders": 1200, \
                "p50_ms": 3300, "p95_ms": 5300, "p99_ms": 6000, \
                "max_ms": 6200, "missing": 0, "duplicates": 0, "peak_rss_mb": {"consumer driver": 870}}
                  ],
                  "backlog": {"orders": 1010, "to_kafka_s": 2.00, "to_lake_s": 4.00, "consumer_alone_s": 3.00, \
                "to_kafka_steady_s": 1.52, "to_lake_steady_s": 4.00, "consumer_alone_steady_s": 2.24, \
                "floor_to_kafka_s": 0.50, "floor_to_lake_s": 1.50, \
                "files": 3, "duplicates": 0, "peak_rss_mb": {"producer driver": 500}},
                  "metrics_cost": null
                }
                """, sample().json());
    }

    @Test
    void shouldCompareTheMetricsRunsByTheirMedians() {
        Report r = sample();
        r.metricsCost = new Report.MetricsCost(3, 200_000);
        long[][] runs = {{1300, 2000, 20_000}, {1250, 2100, 19_000}, {1400, 2050, 21_000}, {1200, 1900, 20_500},
            {1350, 2200, 19_500}, {1280, 1950, 22_000}};
        for (int i = 0; i < runs.length; i++) {
            r.metricsCost.add(i % 2 == 0, new Percentiles(100, runs[i][0], 0, runs[i][1], 0), runs[i][2] / 1000.0);
        }
        String table = r.table();
        assertTrue(table.contains("Metrics endpoints on (both scraped every second) and off, alternated, 3 runs each"), table);
        // on: p50 1300, 1400, 1350 -> 1350; off: 1250, 1200, 1280 -> 1250: +8.0 %
        assertTrue(table.contains("latency p50, batch_interval 1      on   1350.0 ms, off   1250.0 ms (+8.0 %"), table);
        assertTrue(table.contains("backlog of 200,000 to the lake     on     20.0 s, off     20.5 s (-2.4 %"), table);
        assertTrue(r.json().contains("\"metrics_cost\": {\"rounds\": 3, \"backlog_orders\": 200000, "
                + "\"p50_ms_on\": [1300, 1400, 1350], \"p50_ms_off\": [1250, 1200, 1280]"), r.json());
    }
}

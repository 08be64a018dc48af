package foodcdc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Report sample() {
        Report r = new Report(new BenchOptions(false, 20, 60, List.of(5), 1000, false), "2 cores \"test\"");
        r.latency.add(new Report.Latency(5, 1200, new Percentiles(1200, 3100, 5200, 5900, 6100), 0, 0,
                Map.of("producer driver", 400L, "consumer driver", 900L)));
        r.backlog = new Report.Backlog(1010, 2.0, 4.0, 3, 0, Map.of("producer driver", 500L));
        return r;
    }

    @Test
    void shouldPrintEveryNumberInTheTable() {
        String table = sample().table();
        assertTrue(table.contains("5 s                 1200     3100     5200     5900     6100        0      0"), table);
        assertTrue(table.contains("all published to Kafka                    2.0          505"), table);
        assertTrue(table.contains("all visible in the lake                   4.0          253"), table);
        assertTrue(table.contains("Parquet files written: 3; duplicates seen: 0"), table);
        assertTrue(table.contains("consumer driver                   900                0"), table);
        assertTrue(table.contains("producer driver                   400              500"), table);
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
                    {"batch_interval_s": 5, "orders": 1200, "p50_ms": 3100, "p95_ms": 5200, "p99_ms": 5900, \
                "max_ms": 6100, "missing": 0, "duplicates": 0, "peak_rss_mb": {"consumer driver": 900, "producer driver": 400}}
                  ],
                  "backlog": {"orders": 1010, "to_kafka_s": 2.00, "to_lake_s": 4.00, "kafka_rows_per_s": 505, \
                "lake_rows_per_s": 253, "files": 3, "duplicates": 0, "peak_rss_mb": {"producer driver": 500}}
                }
                """, sample().json());
    }
}

package foodcdc.consumer;

import foodcdc.contract.CleaningRules.Reason;
import foodcdc.metrics.Histograms;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The consumer's Prometheus metrics (docs/MONITORING.md), in {@code registry}: one per JVM, kept
 * across the restarts of its stream, so that the counters only grow. In change capture mode the
 * record counts of valid changes carry the change's {@code op} (a quarantined record has none:
 * its op is {@code ""}, which Prometheus shows as no label).
 */
final class ConsumerMetrics {
    static final String WRITTEN = "written";
    static final String DUPLICATE = "duplicate";
    static final String QUARANTINED = "quarantined";
    /** What the consumer can be waiting for: the {@code for} label's values. */
    static final List<String> WAITS = List.of("kafka", "topic");

    private final boolean changes;
    private final Counter records;
    private final Counter quarantined;
    private final Histogram batchDuration;
    private final Gauge kafkaLag;
    private final Histogram commitToLake;
    private final Gauge lakeFiles;
    private final Counter merges;
    private final Gauge indexOrders;
    private final Gauge waiting;

    ConsumerMetrics(PrometheusRegistry registry, EventShape shape) {
        this.changes = shape == EventShape.CHANGES;
        records = Counter.builder().name("orders_consumer_records_total")
                .help("Kafka records taken by the consumer, by outcome: written to the lake, duplicate of one it "
                        + "holds, or quarantined" + (changes ? "; by op for valid changes" : ""))
                .labelNames(changes ? new String[] {"outcome", "op"} : new String[] {"outcome"}).register(registry);
        quarantined = Counter.builder().name("orders_consumer_quarantined_total")
                .help("Kafka records put in the quarantine, by reason").labelNames("reason").register(registry);
        for (Reason r : Reason.values()) {
            quarantined.labelValues(r.code);   // every reason shown from the start, at 0: rate() needs a start
        }
        batchDuration = Histograms.seconds(registry, "orders_consumer_batch_duration_seconds",
                "Time of one micro-batch: clean, de-duplicate, write and rename its files, merge",
                0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120);
        kafkaLag = Gauge.builder().name("orders_consumer_kafka_lag_records")
                .help("Records in the topic the consumer has not read yet (0: read everything)").register(registry);
        commitToLake = Histograms.seconds(registry, "orders_consumer_commit_to_lake_seconds",
                "From an order's " + shape.dateField + " to its file being in place in the lake, for those "
                        + "written for the first time (copies and replays left out)",
                0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 300, 3600);
        lakeFiles = Gauge.builder().name("orders_consumer_lake_files")
                .help("Parquet files in the lake's date folders: today's and later (open) or earlier (closed), UTC")
                .labelNames("day").register(registry);
        merges = Counter.builder().name("orders_consumer_merges_total")
                .help("Merges of small files into one, in the lake and the quarantine").register(registry);
        indexOrders = Gauge.builder().name("orders_consumer_index_orders")
                .help("Keys (" + shape.key + ") in the consumer's index of the lake").register(registry);
        waiting = Gauge.builder().name("orders_consumer_waiting")
                .help("1 while the consumer waits for a service (label for) instead of consuming")
                .labelNames("for").register(registry);
        waitingFor(null);
    }

    /**
     * One micro-batch's records. {@code validByOp} and {@code writtenByOp}: valid records and
     * those written, by op in change capture mode (else one entry, key {@code ""}).
     */
    void batch(Map<String, Long> validByOp, Map<String, Long> writtenByOp, Map<String, Long> quarantinedByReason,
               Duration took) {
        validByOp.forEach((op, valid) -> {
            long written = writtenByOp.getOrDefault(op, 0L);
            count(WRITTEN, op, written);
            count(DUPLICATE, op, valid - written);
        });
        long rejected = 0;
        for (Map.Entry<String, Long> e : quarantinedByReason.entrySet()) {
            quarantined.labelValues(e.getKey()).inc(e.getValue());
            rejected += e.getValue();
        }
        count(QUARANTINED, "", rejected);
        batchDuration.observe(took.toNanos() / 1e9);
    }

    private void count(String outcome, String op, long n) {
        if (n <= 0) {
            records.labelValues(changes ? new String[] {outcome, op} : new String[] {outcome});   // shown at 0
            return;
        }
        (changes ? records.labelValues(outcome, op) : records.labelValues(outcome)).inc(n);
    }

    /** Commit-to-lake latencies of the orders a batch wrote for the first time. */
    void inPlace(double[] seconds) {
        for (double s : seconds) {
            commitToLake.observe(s);
        }
    }

    void lag(double records) {
        kafkaLag.set(records);
    }

    void files(long open, long closed) {
        lakeFiles.labelValues("open").set(open);
        lakeFiles.labelValues("closed").set(closed);
    }

    void merged() {
        merges.inc();
    }

    void indexed(long keys) {
        indexOrders.set(keys);
    }

    /** Waiting for {@code what} (one of {@link #WAITS}), or for nothing (null). */
    void waitingFor(String what) {
        WAITS.forEach(w -> waiting.labelValues(w).set(w.equals(what) ? 1 : 0));
    }
}

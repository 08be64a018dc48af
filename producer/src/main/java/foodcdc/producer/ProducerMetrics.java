package foodcdc.producer;

import foodcdc.metrics.Histograms;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The producer's Prometheus metrics (docs/MONITORING.md), in {@code registry}: what it published,
 * how its polls go, how far behind the table it is, and what it waits for. The lag gauges are
 * insert mode's: change capture mode has no horizon in time ({@link Next#ofChanges}).
 */
final class ProducerMetrics {
    /** What the producer can be waiting for: the {@code for} label's values. */
    static final List<String> WAITS = List.of("postgresql", "kafka", "storage");

    private final Counter rowsPublished;
    private final Counter polls;
    private final Histogram pollDuration;
    private final Gauge watermarkTimestamp;
    private final Gauge horizonLag;
    private final Gauge oldestOpenTransaction;
    private final Gauge waiting;

    ProducerMetrics(PrometheusRegistry registry) {
        rowsPublished = Counter.builder().name("orders_producer_rows_published_total")
                .help("Rows (in change capture mode: changes) published to Kafka and acknowledged").register(registry);
        polls = Counter.builder().name("orders_producer_polls_total")
                .help("Polls of the source table that ended, with or without rows").register(registry);
        pollDuration = Histograms.seconds(registry, "orders_producer_poll_duration_seconds",
                "Time of one poll: find the batch, publish it, wait for Kafka, write the watermark",
                0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);
        watermarkTimestamp = Gauge.builder().name("orders_producer_watermark_timestamp_seconds")
                .help("created_at of the watermark's order, as epoch seconds (insert mode)").register(registry);
        horizonLag = Gauge.builder().name("orders_producer_horizon_lag_seconds")
                .help("The database's clock minus the horizon, before which every row is published or "
                        + "publishable (insert mode)").register(registry);
        oldestOpenTransaction = Gauge.builder().name("orders_producer_oldest_open_transaction_seconds")
                .help("Age of the oldest open transaction of the database, which holds the horizon back; 0 when "
                        + "none (insert mode)").register(registry);
        waiting = Gauge.builder().name("orders_producer_waiting")
                .help("1 while the producer waits for a service (label for) instead of publishing")
                .labelNames("for").register(registry);
        WAITS.forEach(w -> waiting.labelValues(w).set(0));
        // Unknown until a watermark or a look says (and never, in change capture mode): NaN, not a healthy-looking 0.
        watermarkTimestamp.set(Double.NaN);
        horizonLag.set(Double.NaN);
        oldestOpenTransaction.set(Double.NaN);
    }

    /** A poll that ended (published or found nothing new), and how long it took. */
    void polled(Duration took) {
        polls.inc();
        pollDuration.observe(took.toNanos() / 1e9);
        WAITS.forEach(w -> waiting.labelValues(w).set(0));
    }

    /** Rows Kafka acknowledged. */
    void published(long rows) {
        rowsPublished.inc(rows);
    }

    void watermark(Position p) {
        if (p instanceof Watermark w) {
            watermarkTimestamp.set(epochSeconds(w.createdAt()));
        }
    }

    /** What a look at the table found about the horizon, in insert mode. */
    void looked(SourceDatabase.Next next) {
        if (next.databaseNow().isEmpty()) {
            return;
        }
        LocalDateTime now = next.databaseNow().get();
        // No horizon: a transaction of unknown start holds it back; its age is the lag's best measure.
        next.horizon().or(() -> next.heldBackBy().map(SourceDatabase.OpenTransaction::since))
                .ifPresent(h -> horizonLag.set(secondsBetween(h, now)));
        oldestOpenTransaction.set(next.heldBackBy().map(t -> secondsBetween(t.since(), now)).orElse(0.0));
    }

    /** Waiting for {@code what} (one of {@link #WAITS}) instead of publishing. */
    void waitingFor(String what) {
        WAITS.forEach(w -> waiting.labelValues(w).set(w.equals(what) ? 1 : 0));
    }

    /** {@code to} minus {@code from} in seconds, never negative (the clocks are the database's, read apart). */
    static double secondsBetween(LocalDateTime from, LocalDateTime to) {
        return Math.max(0, Duration.between(from, to).toNanos() / 1e9);
    }

    /** A UTC wall-clock time (created_at) as epoch seconds. */
    static double epochSeconds(LocalDateTime utc) {
        return utc.toEpochSecond(ZoneOffset.UTC) + utc.getNano() / 1e9;
    }
}

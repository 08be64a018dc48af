package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.time.LocalDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProducerMetricsTest {
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 12, 2, 10, 0, 30, 500_000_000);

    @Test
    void shouldMeasureTheHorizonLagAndTheOldestTransactionOnTheDatabasesClock() {
        PrometheusRegistry registry = new PrometheusRegistry();
        ProducerMetrics metrics = new ProducerMetrics(registry);
        SourceDatabase.OpenTransaction open = new SourceDatabase.OpenTransaction(42, "psql", NOW.minusSeconds(90),
                null, NOW.minusSeconds(90), NOW.minusSeconds(90), "idle in transaction", "INSERT");
        metrics.looked(new SourceDatabase.Next(Optional.empty(), Optional.of(open), Optional.of(NOW.minusSeconds(90)),
                Optional.of(NOW)));
        assertEquals(90.0, gauge(registry, "orders_producer_horizon_lag_seconds"), 1e-9);
        assertEquals(90.0, gauge(registry, "orders_producer_oldest_open_transaction_seconds"), 1e-9);

        // No transaction open: the horizon is 250 ms behind the clock, and nothing is old.
        metrics.looked(new SourceDatabase.Next(Optional.empty(), Optional.empty(),
                Optional.of(NOW.minusNanos(250_000_000)), Optional.of(NOW)));
        assertEquals(0.25, gauge(registry, "orders_producer_horizon_lag_seconds"), 1e-9);
        assertEquals(0.0, gauge(registry, "orders_producer_oldest_open_transaction_seconds"), 1e-9);

        // A transaction of unknown start holds the horizon back: its age is the lag.
        metrics.looked(new SourceDatabase.Next(Optional.empty(), Optional.of(open), Optional.empty(), Optional.of(NOW)));
        assertEquals(90.0, gauge(registry, "orders_producer_horizon_lag_seconds"), 1e-9);
    }

    @Test
    void shouldGiveTheWatermarksCreatedAtAsEpochSecondsAndNeverANegativeLag() {
        PrometheusRegistry registry = new PrometheusRegistry();
        ProducerMetrics metrics = new ProducerMetrics(registry);
        metrics.watermark(new Watermark(LocalDateTime.of(1970, 1, 1, 0, 1, 40, 250_000_000), 7));
        assertEquals(100.25, gauge(registry, "orders_producer_watermark_timestamp_seconds"), 1e-9);
        assertEquals(0.0, ProducerMetrics.secondsBetween(NOW, NOW.minusSeconds(3)));
    }

    @Test
    void shouldSayWhatItWaitsForUntilAPollEnds() {
        PrometheusRegistry registry = new PrometheusRegistry();
        ProducerMetrics metrics = new ProducerMetrics(registry);
        metrics.waitingFor("kafka");
        assertEquals(1.0, gauge(registry, "orders_producer_waiting", "kafka"));
        assertEquals(0.0, gauge(registry, "orders_producer_waiting", "postgresql"));
        metrics.polled(java.time.Duration.ofMillis(20));
        assertEquals(0.0, gauge(registry, "orders_producer_waiting", "kafka"));
    }

    static double gauge(PrometheusRegistry registry, String name, String... forLabel) {
        GaugeSnapshot g = (GaugeSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getPrometheusName().equals(name)).findFirst().orElseThrow();
        return g.getDataPoints().stream()
                .filter(p -> forLabel.length == 0 || forLabel[0].equals(p.getLabels().get("for")))
                .findFirst().orElseThrow().getValue();
    }
}

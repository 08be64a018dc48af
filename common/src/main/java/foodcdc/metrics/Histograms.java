package foodcdc.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/** The jobs' histograms: times in seconds, classic buckets only (what the text format shows). */
public final class Histograms {
    private Histograms() {
    }

    /** A histogram of seconds named {@code name}, with these upper bounds, registered in {@code registry}. */
    public static Histogram seconds(PrometheusRegistry registry, String name, String help, double... upperBounds) {
        return Histogram.builder().name(name).help(help).unit(Unit.SECONDS).classicOnly()
                .classicUpperBounds(upperBounds).register(registry);
    }
}

package foodcdc.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeSet;

/** The benchmark's results: printed as a table, written as JSON. */
final class Report {

    /**
     * Commit-to-visible latency of a steady insert stream at one batch_interval, on a lake that
     * held {@code prefilledFiles} files ({@code prefilledOrders} orders) in today's partition;
     * with {@code changes}, of a steady update stream into the change history (change capture
     * mode), {@code orders} then counting changes.
     */
    record Latency(int batchInterval, int prefilledFiles, long prefilledOrders, boolean changes, int orders,
                   Percentiles millis, long missing, long duplicates, Map<String, Long> peakRssMb) {
        String label() {
            return batchInterval + " s" + (changes ? ", updates" : prefilledFiles == 0 ? "" : ", grown lake");
        }

        /** The peak RSS table's column. */
        String column() {
            return (changes ? "updates " : prefilledFiles == 0 ? "latency " : "grown ") + batchInterval + " s";
        }
    }

    /**
     * A backlog drained by freshly started jobs, each stage whole and steady ({@link Drain});
     * {@code consumerAlone}: the consumer alone on the topic the backlog filled; {@code floor}:
     * the same moves with plain clients.
     */
    record Backlog(long orders, Drain toKafka, Drain toLake, Drain consumerAlone,
                   PlainToolsFloor.Result floor, int files, long duplicates, Map<String, Long> peakRssMb) {
        double toKafkaSeconds() {
            return toKafka.wholeSeconds();
        }

        double toLakeSeconds() {
            return toLake.wholeSeconds();
        }

        double consumerAloneSeconds() {
            return consumerAlone.wholeSeconds();
        }
    }

    /**
     * The metrics endpoints' cost: per run with both on (scraped) and off, the latency scenario's
     * percentiles at batch_interval 1 and the seconds a backlog of {@code backlogOrders} took to
     * the lake; compared by their medians.
     */
    static final class MetricsCost {
        final int rounds;
        final int backlogOrders;
        final Map<Boolean, List<Long>> p50 = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
        final Map<Boolean, List<Long>> p99 = Map.of(true, new ArrayList<>(), false, new ArrayList<>());
        final Map<Boolean, List<Long>> backlogMillis = Map.of(true, new ArrayList<>(), false, new ArrayList<>());

        MetricsCost(int rounds, int backlogOrders) {
            this.rounds = rounds;
            this.backlogOrders = backlogOrders;
        }

        void add(boolean on, Percentiles latency, double backlogSeconds) {
            p50.get(on).add(latency.p50());
            p99.get(on).add(latency.p99());
            backlogMillis.get(on).add(Math.round(backlogSeconds * 1000));
        }

        /** One line: the medians on and off and how much more on costs, in per cent. */
        static String line(String what, Map<Boolean, List<Long>> values, String unit, double scale) {
            long on = median(values.get(true));
            long off = median(values.get(false));
            return String.format(Locale.ROOT, "  %-34s on %8.1f %s, off %8.1f %s (%+.1f %%; runs on %s, off %s)%n",
                    what, on / scale, unit, off / scale, unit, 100.0 * (on - off) / off, values.get(true),
                    values.get(false));
        }

        static long median(List<Long> values) {
            List<Long> sorted = values.stream().sorted().toList();
            int n = sorted.size();
            return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        }
    }

    private final BenchOptions options;
    private final String machine;
    final List<Latency> latency = new ArrayList<>();
    Backlog backlog;
    MetricsCost metricsCost;

    Report(BenchOptions options, String machine) {
        this.options = options;
        this.machine = machine;
    }

    /** One stage of the backlog: whole, to the first rows, steady, and both against the floor. */
    private static void stage(StringBuilder out, String name, Drain d, double floorSeconds) {
        out.append(String.format(Locale.ROOT, "%-34s %8.1f %8.1f %8.1f %,11d %8.1f %6.1fx %6.1fx%n", name,
                d.wholeSeconds(), d.firstSeconds(), d.steadySeconds(), Math.round(d.total() / d.steadySeconds()),
                floorSeconds, d.wholeSeconds() / floorSeconds, d.steadySeconds() / floorSeconds));
    }

    String table() {
        StringBuilder out = new StringBuilder();
        out.append("Machine: ").append(machine).append('\n');
        out.append("Mode: ").append(options.cluster() ? "local standalone cluster (each job 1 core)" : "local[*]")
                .append('\n');
        if (!latency.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nLatency, commit -> visible to a reader listing the lake (%d orders/s for %d s, one transaction each;%n"
                    + "updates: change capture mode, %d updates/s into the change history)%n",
                    options.rate(), options.seconds(), options.rate()));
            out.append(String.format(Locale.ROOT, "%-20s %7s %8s %8s %8s %8s %8s %6s%n",
                    "batch_interval", "orders", "p50 ms", "p95 ms", "p99 ms", "max ms", "missing", "dup"));
            for (Latency l : latency) {
                out.append(String.format(Locale.ROOT, "%-20s %7d %8d %8d %8d %8d %8d %6d%n", l.label(),
                        l.orders(), l.millis().p50(), l.millis().p95(), l.millis().p99(), l.millis().max(), l.missing(),
                        l.duplicates()));
            }
            for (Latency grown : latency) {
                latency.stream().filter(l -> l.prefilledFiles() == 0 && !l.changes() && l.batchInterval() == grown.batchInterval()
                        && grown.prefilledFiles() > 0).findFirst().ifPresent(empty -> out.append(String.format(Locale.ROOT,
                        "Grown lake (today's partition pre-filled with %,d files, %,d orders) vs empty lake at "
                                + "batch_interval %d s: p50 x%.2f, p99 x%.2f%n", grown.prefilledFiles(),
                        grown.prefilledOrders(), grown.batchInterval(), ratio(grown.millis().p50(), empty.millis().p50()),
                        ratio(grown.millis().p99(), empty.millis().p99()))));
            }
        }
        if (backlog != null) {
            out.append(String.format(Locale.ROOT, "%nBacklog: %,d orders in the table when both jobs start%n", backlog.orders()));
            PlainToolsFloor.Result f = backlog.floor();
            out.append(String.format(Locale.ROOT, "%-34s %8s %8s %8s %11s %8s %7s %7s%n", "stage", "whole s", "first s",
                    "steady s", "steady r/s", "floor s", "whole", "steady"));
            stage(out, "table -> Kafka (all published)", backlog.toKafka(), f.toKafkaSeconds());
            stage(out, "Kafka -> lake (consumer alone)", backlog.consumerAlone(), f.toLakeSeconds());
            stage(out, "table -> lake (both jobs at once)", backlog.toLake(), f.totalSeconds());
            out.append("whole: from the jobs' start (JVM, Spark, a cold first batch); first: until the first rows "
                    + "were out; steady: the rate after them, as seconds for all;\nratios are pipeline / floor, whose "
                    + "clients run in the benchmark's warm JVM\n");
            out.append("floor: JDBC cursor -> Kafka producer; Kafka consumer -> JSON lines -> DuckDB COPY "
                    + "PARTITION_BY date; one after the other\n");
            out.append(String.format(Locale.ROOT, "Most Parquet files in one listing: %d; duplicates seen: %d%n", backlog.files(),
                    backlog.duplicates()));
        }
        out.append(String.format(Locale.ROOT, "%nPeak RSS (MB)%n"));
        TreeSet<String> processes = new TreeSet<>();
        latency.forEach(l -> processes.addAll(l.peakRssMb().keySet()));
        if (backlog != null) {
            processes.addAll(backlog.peakRssMb().keySet());
        }
        out.append(String.format(Locale.ROOT, "%-20s", "process"));
        latency.forEach(l -> out.append(String.format(Locale.ROOT, " %16s", l.column())));
        if (backlog != null) {
            out.append(String.format(Locale.ROOT, " %16s", "backlog"));
        }
        out.append('\n');
        for (String p : processes) {
            out.append(String.format(Locale.ROOT, "%-20s", p));
            latency.forEach(l -> out.append(String.format(Locale.ROOT, " %16s", l.peakRssMb().getOrDefault(p, 0L))));
            if (backlog != null) {
                out.append(String.format(Locale.ROOT, " %16s", backlog.peakRssMb().getOrDefault(p, 0L)));
            }
            out.append('\n');
        }
        if (metricsCost != null) {
            out.append(String.format(Locale.ROOT, "%nMetrics endpoints on (both scraped every second) and off, alternated, %d runs "
                    + "each (medians):%n", metricsCost.rounds));
            out.append(MetricsCost.line("latency p50, batch_interval 1", metricsCost.p50, "ms", 1));
            out.append(MetricsCost.line("latency p99, batch_interval 1", metricsCost.p99, "ms", 1));
            out.append(MetricsCost.line(String.format(Locale.ROOT, "backlog of %,d to the lake", metricsCost.backlogOrders),
                    metricsCost.backlogMillis, "s", 1000));
        }
        return out.toString();
    }

    String json() {
        StringJoiner lat = new StringJoiner(",\n    ", "[\n    ", "\n  ]");
        for (Latency l : latency) {
            lat.add(String.format(Locale.ROOT,
                    "{\"batch_interval_s\": %d, \"prefilled_files\": %d, \"prefilled_orders\": %d, \"updates\": %b, \"orders\": %d, "
                            + "\"p50_ms\": %d, \"p95_ms\": %d, \"p99_ms\": %d, "
                            + "\"max_ms\": %d, \"missing\": %d, \"duplicates\": %d, \"peak_rss_mb\": %s}",
                    l.batchInterval(), l.prefilledFiles(), l.prefilledOrders(), l.changes(), l.orders(), l.millis().p50(), l.millis().p95(), l.millis().p99(), l.millis().max(),
                    l.missing(), l.duplicates(), json(l.peakRssMb())));
        }
        String back = backlog == null ? "null" : String.format(Locale.ROOT,
                "{\"orders\": %d, \"to_kafka_s\": %.2f, \"to_lake_s\": %.2f, \"consumer_alone_s\": %.2f, "
                        + "\"to_kafka_steady_s\": %.2f, \"to_lake_steady_s\": %.2f, \"consumer_alone_steady_s\": %.2f, "
                        + "\"floor_to_kafka_s\": %.2f, \"floor_to_lake_s\": %.2f, "
                        + "\"files\": %d, \"duplicates\": %d, \"peak_rss_mb\": %s}",
                backlog.orders(), backlog.toKafkaSeconds(), backlog.toLakeSeconds(), backlog.consumerAloneSeconds(),
                backlog.toKafka().steadySeconds(), backlog.toLake().steadySeconds(),
                backlog.consumerAlone().steadySeconds(),
                backlog.floor().toKafkaSeconds(), backlog.floor().toLakeSeconds(), backlog.files(),
                backlog.duplicates(), json(backlog.peakRssMb()));
        return String.format(Locale.ROOT, "{%n  \"machine\": %s,%n  \"mode\": \"%s\",%n  \"rate_per_s\": %d,%n"
                        + "  \"seconds\": %d,%n  \"latency\": %s,%n  \"backlog\": %s,%n  \"metrics_cost\": %s%n}%n",
                quote(machine), options.cluster() ? "cluster" : "local", options.rate(), options.seconds(),
                latency.isEmpty() ? "[]" : lat.toString(), back, metricsCost == null ? "null" : String.format(Locale.ROOT,
                        "{\"rounds\": %d, \"backlog_orders\": %d, \"p50_ms_on\": %s, \"p50_ms_off\": %s, "
                                + "\"p99_ms_on\": %s, \"p99_ms_off\": %s, \"backlog_ms_on\": %s, \"backlog_ms_off\": %s}",
                        metricsCost.rounds, metricsCost.backlogOrders, metricsCost.p50.get(true),
                        metricsCost.p50.get(false), metricsCost.p99.get(true), metricsCost.p99.get(false),
                        metricsCost.backlogMillis.get(true), metricsCost.backlogMillis.get(false)));
    }

    /** Writes {@link #json()} to a new file in {@code dir}; returns its path. */
    Path writeJson(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path file = dir.resolve("bench-" + (options.cluster() ? "cluster-" : "local-") + stamp + ".json");
        Files.writeString(file, json(), StandardCharsets.UTF_8);
        return file;
    }

    private static double ratio(long value, long base) {
        return base == 0 ? Double.NaN : (double) value / base;
    }

    private static String json(Map<String, Long> values) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        new java.util.TreeMap<>(values).forEach((k, v) -> j.add(quote(k) + ": " + v));
        return j.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Long work is never silent: a consumer starting on a lake of many files (its order index) and
 * then on a backlog, beside a producer working off that backlog, each log a line of their own at
 * least every ~10 s until the backlog is in the lake, progress lines included.
 */
class ProgressIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final int PREFILLED_FILES = 4_000;
    private static final int ORDERS_PER_FILE = 25;
    private static final int BACKLOG = 400_000;
    /** The longest gap allowed between two of a busy job's own lines (timestamps are in whole seconds). */
    private static final long MAX_SILENCE_SECONDS = 11;
    private static final Pattern OWN_LINE = Pattern.compile(
            "^(\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d) (INFO|WARN|ERROR) (\\w+): (.*)$");
    private static final Pattern BUILT = Pattern.compile("Order index: \\d+ orders in \\d+ lake files, read in (\\d+) ms");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yy/MM/dd HH:mm:ss");

    @Test
    void shouldSayHowFarItIsAtLeastEveryTenSeconds() throws Exception {
        PipelineConfig c = STACK.isolated("progress", 100_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("progress.yml"));
        prefill(Path.of(c.datalake().path()), STACK.dir().resolve("progress-prefill"));
        try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
            s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, restaurant_name, item, amount, "
                    + "order_status) SELECT 'c' || i, 'r', 'i', i % 100, 'PLACED' FROM generate_series(1, " + BACKLOG
                    + ") AS i");
        }
        Path producerLog = STACK.dir().resolve("progress-producer.log");
        Path consumerLog = STACK.dir().resolve("progress-consumer.log");
        long expected = 10 + BACKLOG + (long) PREFILLED_FILES * ORDERS_PER_FILE;
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, producerLog);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, consumerLog)) {
            Wait.every(Duration.ofSeconds(5)).look(() -> {
                producer.assertAlive();
                consumer.assertAlive();
                return LakeFiles.rowsAndOrders(c.datalake().path());
            }, n -> n.orders() >= expected, Duration.ofMinutes(5), expected + " orders in the lake");
            assertEquals(expected, LakeFiles.rowsAndOrders(c.datalake().path()).rows());

            List<Line> consumed = ownLines(consumer.launchOutput());
            // A build longer than the 5 s between two of its lines says how far it is.
            long buildMillis = consumed.stream().map(l -> BUILT.matcher(l.text())).filter(Matcher::matches)
                    .mapToLong(m -> Long.parseLong(m.group(1))).findFirst().orElseThrow();
            assertTrue(buildMillis < 10_000 || consumed.stream().anyMatch(l -> l.text().startsWith("Order index: read ")),
                    "no progress line in an index build of " + buildMillis + " ms:\n" + consumer.launchOutput());
            assertBusyAndNeverSilent("consumer", consumed, "Batch ");
            assertBusyAndNeverSilent("producer", ownLines(producer.launchOutput()), "Published ");
        }
    }

    /** One line of a job's own (not Spark's): its time and text. */
    private record Line(LocalDateTime at, String logger, String text) {
    }

    private static List<Line> ownLines(String log) {
        List<Line> lines = new ArrayList<>();
        for (String l : log.split("\n")) {
            Matcher m = OWN_LINE.matcher(l);
            if (m.matches() && !m.group(3).startsWith("Spark") && !m.group(3).equals("Utils")) {
                lines.add(new Line(LocalDateTime.parse(m.group(1), STAMP), m.group(3), m.group(4)));
            }
        }
        return lines;
    }

    /**
     * From the job's first line of its own (its config, before Spark starts) to its last line
     * starting with {@code lastWork} (the backlog's last batch or poll), no gap between two of its
     * lines is longer than {@link #MAX_SILENCE_SECONDS}.
     */
    private static void assertBusyAndNeverSilent(String job, List<Line> lines, String lastWork) {
        int from = lines.isEmpty() ? -1 : 0;
        int to = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).text().startsWith(lastWork)) {
                to = i;
            }
        }
        assertTrue(from >= 0 && to > from, job + ": no start or work lines: " + lines);
        long busy = Duration.between(lines.get(from).at(), lines.get(to).at()).toSeconds();
        assertTrue(busy > MAX_SILENCE_SECONDS, job + " was busy only " + busy + " s: nothing to check");
        for (int i = from + 1; i <= to; i++) {
            long gap = Duration.between(lines.get(i - 1).at(), lines.get(i).at()).toSeconds();
            assertTrue(gap <= MAX_SILENCE_SECONDS, job + " was silent " + gap + " s between:\n" + lines.get(i - 1)
                    + "\n" + lines.get(i) + "\nall:\n" + lines.subList(from, to + 1));
        }
        System.out.printf("ProgressIT: %s busy %d s, %d lines of its own:%n", job, busy, to - from + 1);
        lines.subList(from, to + 1).forEach(l -> System.out.println("  " + l.at().toLocalTime() + " " + l.text()));
    }

    /**
     * Fills today's partition of the lake with {@link #PREFILLED_FILES} small files of orders the
     * table never hands out (from 1,000,000,000 up), written by DuckDB, flat, as the consumer's own.
     */
    private static void prefill(Path lake, Path work) throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("COPY (SELECT (1000000000 + i)::INTEGER AS order_id, 'c' AS customer_name, 'r' AS restaurant_name,"
                    + " 'i' AS item, 1.00::DECIMAL(10,2) AS amount, 'DELIVERED' AS order_status,"
                    + " TIMESTAMPTZ '" + today + " 00:00:00+00' + to_microseconds(i) AS created_at,"
                    + " i // " + ORDERS_PER_FILE + " AS f FROM range(" + (long) PREFILLED_FILES * ORDERS_PER_FILE
                    + ") t(i)) TO '" + work + "' (FORMAT parquet, PARTITION_BY (f))");
        }
        Path day = Files.createDirectories(lake.resolve(LakeLayout.dateFolderName(today)));
        try (Stream<Path> all = Files.walk(work)) {
            for (Path file : all.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                Files.move(file, day.resolve("prefill-" + file.getParent().getFileName().toString().substring(2)
                        + ".parquet"));
            }
        }
    }
}

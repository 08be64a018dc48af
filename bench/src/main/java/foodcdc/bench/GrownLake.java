package foodcdc.bench;

import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A lake after a long day: today's partition filled with many small files of orders whose ids
 * the table never hands out (from 1,000,000,000 up), written by DuckDB. They are named
 * {@code prefill-N.parquet}, so the consumer reads them into its order index when it starts
 * but does not compact them (it merges only the files it wrote), and the benchmark's reader
 * does not time them: what is measured is a micro-batch's cost beside a partition this large.
 */
final class GrownLake {
    static final int ORDERS_PER_FILE = 250;
    private static final long FIRST_ID = 1_000_000_000L;
    private static final String PREFIX = "prefill-";

    private GrownLake() {
    }

    static boolean isPrefilled(String fileName) {
        return fileName.startsWith(PREFIX);
    }

    /** Writes {@code files} files into today's (UTC) partition of {@code lake}; returns the orders written. */
    static long fill(Path lake, int files, Path work) throws Exception {
        long orders = (long) files * ORDERS_PER_FILE;
        Path staged = work.resolve("prefill");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            // One folder per file (f=N), the lake's columns and types, created_at earlier today (an
            // instant, as Spark writes it).
            Map<String, String> values = Map.of(
                    OrderEvent.ORDER_ID, "(" + FIRST_ID + " + i)::INTEGER",
                    OrderEvent.CUSTOMER_NAME, "'Customer ' || (i % 1000)",
                    OrderEvent.RESTAURANT_NAME, "'Restaurant ' || (i % 50)",
                    OrderEvent.ITEM, "'Item ' || (i % 200)",
                    OrderEvent.AMOUNT, "((i % 10000) / 100.0)::DECIMAL(10,2)",
                    OrderEvent.ORDER_STATUS, "'DELIVERED'",
                    OrderEvent.CREATED_AT, "TIMESTAMPTZ '" + today + " 00:00:00+00' + to_microseconds(i)");
            String columns = OrderEvent.FIELDS.stream()
                    .map(f -> values.get(f.name()) + " AS " + f.name())
                    .collect(Collectors.joining(", "));
            s.execute("COPY (SELECT " + columns + ", i // " + ORDERS_PER_FILE + " AS f FROM range(" + orders
                    + ") t(i)) TO '" + staged + "' (FORMAT parquet, PARTITION_BY (f))");
        }
        Path day = Files.createDirectories(lake.resolve(LakeLayout.dateFolderName(today)));
        List<Path> written;
        try (Stream<Path> all = Files.walk(staged)) {
            written = all.filter(p -> LakeLayout.isParquet(p.getFileName().toString())).toList();
        }
        for (Path file : written) {
            String folder = file.getParent().getFileName().toString();   // f=N
            Files.move(file, day.resolve(PREFIX + folder.substring(2) + "-" + file.getFileName()));
        }
        if (written.size() < files) {
            throw new IllegalStateException("DuckDB wrote " + written.size() + " files, not " + files);
        }
        return orders;
    }
}

package foodcdc.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The lake as an outside reader sees it: every ~100 ms it lists the lake's Parquet files and
 * reads the order_ids of each file it has not seen (DuckDB, no Spark), noting when each order
 * first became visible. A file replaced under the same name (a replayed micro-batch) is not
 * read again: its orders were already visible.
 */
final class LakeWatcher implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final Path lake;
    private final Set<Long> timed;
    private final Map<Long, Long> visibleAtNanos = new ConcurrentHashMap<>();
    private final Set<Path> filesSeen = new HashSet<>();
    private final BitSet orders = new BitSet();
    private final Thread thread;
    private final Connection duck;
    private volatile long distinct;
    private volatile long duplicates;
    private volatile RuntimeException failure;
    private volatile boolean stopped;

    /** Watches {@code lake}; the first-visible time is kept for the orders in {@code timed}. */
    LakeWatcher(Path lake, Set<Long> timed) throws SQLException {
        this.lake = lake;
        this.timed = timed;
        this.duck = DriverManager.getConnection("jdbc:duckdb:");
        this.thread = new Thread(this::run, "lake-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stopped) {
                long listedAt = System.nanoTime();
                for (Path file : newFiles()) {
                    readOrders(file, listedAt);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private List<Path> newFiles() {
        if (!Files.isDirectory(lake)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(lake)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet"))
                    .filter(f -> !filesSeen.contains(f)).sorted().toList();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return List.of(); // a folder vanished while listing: list again next time
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readOrders(Path file, long listedAt) {
        try (Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                if (orders.get((int) id)) {
                    duplicates++;
                    continue;
                }
                orders.set((int) id);
                distinct++;
                if (timed.contains(id)) {
                    visibleAtNanos.put(id, listedAt);
                }
            }
            filesSeen.add(file);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code n} distinct orders are visible; returns when that was first seen (nanoTime). */
    long awaitOrders(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (distinct < n) {
            if (failure != null) {
                throw failure;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + distinct + " of " + n + " orders visible in " + lake
                        + " after " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        return System.nanoTime();
    }

    /** When each timed order first became visible (System.nanoTime of the listing that found it). */
    Map<Long, Long> visibleAtNanos() {
        return visibleAtNanos;
    }

    long distinctOrders() {
        return distinct;
    }

    long duplicates() {
        return duplicates;
    }

    int files() {
        return filesSeen.size();
    }

    @Override
    public void close() throws InterruptedException, SQLException {
        stopped = true;
        thread.join(10_000);
        duck.close();
    }
}

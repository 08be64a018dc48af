package foodcdc.bench;

import foodcdc.contract.ChangeEvent;
import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeLayout;
import foodcdc.stack.Wait;
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
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The lake as an outside reader sees it: every ~100 ms it lists the lake's Parquet files and
 * reads the keys of each file it has not seen (DuckDB, no Spark): order_ids, or in a change
 * history change_ids ({@link #changes}), noting when each first became visible. A file replaced under the same name (a replayed micro-batch) is not
 * read again: its orders were already visible. Files that a merge replaced are forgotten, so a
 * duplicate is an order in two files of one listing, as a reader would see it. Files whose name
 * {@code ignore} accepts (the benchmark's pre-filled ones) are not read.
 */
final class LakeWatcher implements AutoCloseable {
    private static final long POLL_MILLIS = 100;

    private final Path lake;
    private final String key;
    private final Set<Long> timed;
    private final Predicate<String> ignore;
    private final Map<Long, Long> visibleAtNanos = new ConcurrentHashMap<>();
    /** The order_ids of each file of the last listing. */
    private final Map<Path, int[]> filesSeen = new HashMap<>();
    /** order_id → in how many files of the last listing. */
    private final Map<Integer, Integer> copies = new HashMap<>();
    private final BitSet everSeen = new BitSet();
    private final Thread thread;
    private final Connection duck;
    private volatile long distinct;
    /** The listing that first found orders (nanoTime), and how many; -1 before. */
    private volatile long firstVisibleNanos = -1;
    private volatile long firstVisibleCount;
    private volatile long duplicates;
    private volatile int mostFiles;
    private volatile RuntimeException failure;
    private volatile boolean stopped;

    /** Watches {@code lake}; the first-visible time is kept for the orders in {@code timed}. */
    LakeWatcher(Path lake, Set<Long> timed) throws SQLException {
        this(lake, timed, name -> false);
    }

    LakeWatcher(Path lake, Set<Long> timed, Predicate<String> ignore) throws SQLException {
        this(lake, OrderEvent.ORDER_ID, timed, ignore);
    }

    /** Watches the change history {@code history}, by change_id; the first-visible time is kept for those in {@code timed}. */
    static LakeWatcher changes(Path history, Set<Long> timed) throws SQLException {
        return new LakeWatcher(history, ChangeEvent.CHANGE_ID, timed, name -> false);
    }

    private LakeWatcher(Path lake, String key, Set<Long> timed, Predicate<String> ignore) throws SQLException {
        this.lake = lake;
        this.key = key;
        this.timed = timed;
        this.ignore = ignore;
        this.duck = DriverManager.getConnection("jdbc:duckdb:");
        this.thread = new Thread(this::run, "lake-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!stopped) {
                long listedAt = System.nanoTime();
                List<Path> listed = list();
                Set<Path> now = new HashSet<>(listed);
                for (Path gone : new ArrayList<>(filesSeen.keySet())) {
                    if (!now.contains(gone)) {
                        for (int id : filesSeen.remove(gone)) {
                            copies.merge(id, -1, (a, b) -> a + b == 0 ? null : a + b);
                        }
                    }
                }
                for (Path file : listed) {
                    if (!filesSeen.containsKey(file)) {
                        readOrders(file, listedAt);
                    }
                }
                mostFiles = Math.max(mostFiles, listed.size());
                if (firstVisibleNanos < 0 && distinct > 0) {
                    firstVisibleCount = distinct;
                    firstVisibleNanos = listedAt;
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private List<Path> list() {
        if (!Files.isDirectory(lake)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(lake)) {
            return files.filter(f -> LakeLayout.isParquet(f.getFileName().toString()))
                    .filter(f -> !ignore.test(f.getFileName().toString())).sorted().toList();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return List.copyOf(filesSeen.keySet()); // a folder vanished while listing: list again next time
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readOrders(Path file, long listedAt) {
        List<Integer> ids = new ArrayList<>();
        try (Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + key + " FROM read_parquet('" + file + "')")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        } catch (SQLException e) {
            if (Files.notExists(file)) {
                return;   // merged away since the listing: the next listing has its replacement
            }
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int id : ids) {
            if (copies.merge(id, 1, Integer::sum) > 1) {
                duplicates++;
            }
            if (!everSeen.get(id)) {
                everSeen.set(id);
                distinct++;
                if (timed.contains((long) id)) {
                    visibleAtNanos.put((long) id, listedAt);
                }
            }
        }
        filesSeen.put(file, ids.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Waits until {@code n} distinct orders are visible; returns when that was first seen (nanoTime). */
    long awaitOrders(long n, Duration timeout) throws Exception {
        Wait.every(Duration.ofMillis(20)).look(() -> {
            if (failure != null) {
                throw failure;
            }
            return distinct;
        }, seen -> seen >= n, timeout, n + " " + key + "s visible in " + lake);
        return System.nanoTime();
    }

    /** The drain of {@code n} orders from {@code startNanos}: waits until all are visible (see {@link #awaitOrders}). */
    Drain awaitDrain(long n, long startNanos, Duration timeout) throws Exception {
        long end = awaitOrders(n, timeout);
        long first = firstVisibleNanos;
        // The listing that found the first orders found them all (awaitOrders saw them before it ended).
        return first < 0 ? new Drain(n, startNanos, end, n, end) : new Drain(n, startNanos, first, firstVisibleCount, end);
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

    /** The most Parquet files one listing found. */
    int files() {
        return mostFiles;
    }

    /** Stops watching; what was seen stays readable. */
    void stop() {
        stopped = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws SQLException {
        stop();
        duck.close();
    }
}

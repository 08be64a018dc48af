package foodcdc.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Peak resident memory (VmRSS from /proc) of labelled processes, sampled every 200 ms: what the
 * operating system has to give each JVM, heap and everything else.
 */
final class RssSampler implements AutoCloseable {
    private final Map<String, Long> pids = new ConcurrentHashMap<>();
    private final Map<String, Long> peakKb = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;

    RssSampler() {
        thread = new Thread(this::run, "rss-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    void watch(String label, long pid) {
        pids.put(label, pid);
    }

    private void run() {
        while (!stopped) {
            pids.forEach((label, pid) -> rssKb(pid).ifPresent(kb -> peakKb.merge(label, kb, Math::max)));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Peak RSS in MB per label, for the processes seen alive at least once. */
    Map<String, Long> peaksMb() {
        Map<String, Long> out = new TreeMap<>();
        peakKb.forEach((label, kb) -> out.put(label, kb / 1024));
        return out;
    }

    static Optional<Long> rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process has ended
        }
        return Optional.empty();
    }

    /**
     * A Spark executor JVM started by this stack's worker (its working folder is under
     * {@code stackDir}) that is not among {@code known}.
     */
    static Optional<Long> newExecutor(Path stackDir, Set<Long> known) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .filter(pid -> !known.contains(pid))
                    .filter(pid -> isExecutorUnder(pid, stackDir))
                    .findFirst();
        }
    }

    private static boolean isExecutorUnder(long pid, Path stackDir) {
        try {
            Path proc = Path.of("/proc", Long.toString(pid));
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            return cmdline.contains("CoarseGrainedExecutorBackend")
                    && Files.readSymbolicLink(proc.resolve("cwd")).startsWith(stackDir);
        } catch (IOException | RuntimeException e) {
            return false; // gone, or not ours to read
        }
    }

    /** Stops sampling; the peaks stay readable. */
    void stop() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}

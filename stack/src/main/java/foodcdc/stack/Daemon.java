package foodcdc.stack;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A background server process of the stack (PostgreSQL, Kafka, Spark master or worker).
 *
 * <p>Each one is started in its own session ({@code setsid}), with its output appended to a log
 * file and no terminal, so it outlives the command that started it and a Ctrl-C in that
 * terminal does not reach it. It is stopped by PID. Every daemon's command line contains the
 * stack folder, which is how a PID read back from the state file is recognised as ours before
 * it is signalled (PIDs get reused).
 */
final class Daemon {
    private Daemon() {
    }

    /** A daemon just started: its PID, and where its output for this run begins in its log. */
    record Started(String name, long pid, Path log, long logOffset) {
    }

    static Started start(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        long offset = Files.exists(log) ? Files.size(log) : 0;
        List<String> detached = new ArrayList<>();
        detached.add("setsid");
        detached.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(detached)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        // setsid execs in place (the child is not a group leader), so this PID is the server's.
        return new Started(name, pb.start().pid(), log, offset);
    }

    /** The live process with this PID, if it is one of this stack's daemons. */
    static Optional<ProcessHandle> find(long pid, Path stackDir) {
        String marker = stackDir.toAbsolutePath().toString();
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }

    static boolean isRunning(long pid, Path stackDir) {
        return find(pid, stackDir).isPresent();
    }

    /**
     * Stops a daemon and everything it started: {@code signal} first (TERM, or INT for
     * PostgreSQL's fast shutdown), KILL after the grace period.
     */
    static void stop(long pid, Path stackDir, String signal, Duration grace) throws IOException, InterruptedException {
        Optional<ProcessHandle> found = find(pid, stackDir);
        if (found.isEmpty()) {
            return;
        }
        ProcessHandle process = found.get();
        List<ProcessHandle> children = process.descendants().toList();
        signal(pid, signal);
        if (!waitUntil(() -> !process.isAlive(), grace)) {
            process.destroyForcibly();
            waitUntil(() -> !process.isAlive(), Duration.ofSeconds(10));
        }
        for (ProcessHandle child : children) {
            child.destroyForcibly();
        }
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    /**
     * Waits until the daemon's log contains {@code readyLine}. Fails early, with the end of the
     * log, if the process dies; fails after {@code timeout} otherwise.
     */
    static void awaitLogLine(Started d, String readyLine, Duration timeout)
            throws IOException, InterruptedException {
        awaitReady(d, () -> logContains(d, readyLine), timeout);
    }

    static void awaitReady(Started d, BooleanSupplier ready, Duration timeout)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!ready.getAsBoolean()) {
            if (!ProcessHandle.of(d.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                throw new IOException(d.name() + " exited during start-up. End of " + d.log() + ":\n"
                        + tail(d.log(), 20));
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException(d.name() + " not ready after " + timeout.toSeconds() + " s. End of "
                        + d.log() + ":\n" + tail(d.log(), 20));
            }
            Thread.sleep(100);
        }
    }

    static boolean waitUntil(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** Looks only at this run's part of the log: an earlier run's "ready" line must not count. */
    private static boolean logContains(Started d, String line) {
        try (var channel = Files.newByteChannel(d.log())) {
            channel.position(d.logOffset());
            byte[] bytes = java.nio.channels.Channels.newInputStream(channel).readAllBytes();
            return new String(bytes, StandardCharsets.ISO_8859_1).contains(line);
        } catch (IOException e) {
            return false;
        }
    }

    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}

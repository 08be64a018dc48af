package foodcdc.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;

/**
 * One of the project's scripts run as users run it (its own process), for integration tests:
 * the output of every launch is appended to one log, each launch marked, so a test can wait
 * for a line of the current launch and show the whole history when something fails.
 */
public final class ScriptProcess {
    private static final String MARK = "=== launch";

    private final Process process;
    private final Path log;

    private ScriptProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Runs {@code scripts/<script> --config <config>} with local Spark on 2 cores. */
    public static ScriptProcess launch(String script, Path config, Path log) throws IOException {
        return launch(script, config, log, Map.of("SPARK_MASTER", "local[2]"));
    }

    /** Runs {@code scripts/<script> --config <config>} with these environment variables added. */
    public static ScriptProcess launch(String script, Path config, Path log, Map<String, String> env)
            throws IOException {
        Files.writeString(log, MARK + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder("bash", Repository.home().resolve("scripts").resolve(script).toString(),
                "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return new ScriptProcess(pb.start(), log);
    }

    /** Waits until this launch printed {@code line}; fails early if the process ends. */
    public void awaitLine(String line, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            String text = output();
            if (text.substring(text.lastIndexOf(MARK)).contains(line)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + line + "' from " + process.info().commandLine().orElse("the script")
                + " within " + timeout.toSeconds() + " s:\n" + output());
    }

    /** Waits for the process to end (it fails the test after {@code timeout}); its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout.toSeconds() + " s:\n" + output());
        }
        return process.exitValue();
    }

    /** Everything every launch printed so far. */
    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The script's PID; once the script has exec'd its JVM, the JVM's. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, as a crash would; returns once the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("process survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM, as Ctrl-C or a service manager would; true when it ended within the timeout. */
    public boolean stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}

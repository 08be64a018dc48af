package foodcdc.stack;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process a test or the benchmark runs as users run it, in its own JVM: one of the project's
 * scripts, or a class's {@code main} on this JVM's class path. Its output is appended to a log
 * shared by every launch, each launch marked, so a wait looks at this launch's lines only and a
 * failure shows the whole history.
 *
 * <p>Closing it ends it (SIGTERM, then SIGKILL after a minute) and never fails: teardown, in a
 * try-with-resources, so a failed assertion is the one reported and no JVM is left behind. A
 * test for which the clean stop matters asserts {@link #stop} in its body.
 */
public final class JobProcess implements AutoCloseable {
    private static final String MARK = "=== launch";
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final long logStart;

    private JobProcess(Process process, Path log, long logStart) {
        this.process = process;
        this.log = log;
        this.logStart = logStart;
    }

    /** Runs {@code scripts/<script> --config <config>} with local Spark on 2 cores. */
    public static JobProcess script(String script, Path config, Path log) throws IOException {
        return script(script, config, log, Map.of("SPARK_MASTER", "local[2]"));
    }

    /** Runs {@code scripts/<script> --config <config>} with these environment variables added. */
    public static JobProcess script(String script, Path config, Path log, Map<String, String> env)
            throws IOException {
        return start(scriptCommand(script, List.of("--config", config.toString())), env, log);
    }

    /**
     * Runs {@code scripts/<script> --config <config>} with local Spark on 2 cores as the
     * arguments of {@code wrapper}, a command that sets something up and then executes them (an
     * {@code unshare} giving the job a mount namespace of its own, say). The wrapper must
     * {@code exec}: {@link #pid} is then the job's.
     */
    public static JobProcess scriptIn(List<String> wrapper, String script, Path config, Path log) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(scriptCommand(script, List.of("--config", config.toString())));
        return start(command, Map.of("SPARK_MASTER", "local[2]"), log);
    }

    /**
     * Runs {@code main} of {@code mainClass} in a JVM of its own, with this JVM's class path and
     * options (Spark's {@code --add-opens} among them): code a test must be able to kill.
     */
    public static JobProcess java(Class<?> mainClass, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> !a.startsWith("-agentlib") && !a.startsWith("-javaagent")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return start(command, Map.of(), log);
    }

    private static JobProcess start(List<String> command, Map<String, String> env, Path log) throws IOException {
        Files.writeString(log, MARK + " " + String.join(" ", command.subList(0, Math.min(2, command.size()))) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long logStart = Files.size(log);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return new JobProcess(pb.start(), log, logStart);
    }

    private static List<String> scriptCommand(String script, List<String> args) {
        List<String> command = new ArrayList<>(List.of("bash",
                Repository.home().resolve("scripts").resolve(script).toString()));
        command.addAll(args);
        return command;
    }

    /**
     * Runs {@code scripts/<script> args…} to its end, at most {@code timeout} (then it is killed
     * and the test fails), with these environment variables added; its exit code and output.
     */
    public static Finished run(String script, List<String> args, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("orders-script-", ".out");
        Path err = Files.createTempFile("orders-script-", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(scriptCommand(script, args))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                kill(p);
            }
            Finished finished = new Finished(ended ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            if (!ended) {
                throw new AssertionError(script + " still running after " + timeout.toSeconds() + " s (killed):\n"
                        + finished.all());
            }
            return finished;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code scripts/<script> --config <config>} to its end; see {@link #run(String, List, Map, Duration)}. */
    public static Finished run(String script, Path config, Duration timeout) throws IOException, InterruptedException {
        return run(script, List.of("--config", config.toString()), Map.of(), timeout);
    }

    /** How a script ended: its exit code, and what it wrote to stdout and to stderr. */
    public record Finished(int exit, String stdout, String stderr) {
        /** Both streams, stdout first: for assertions on what a user sees, and failure messages. */
        public String all() {
            return stdout + stderr;
        }
    }

    /** Waits until this launch printed {@code line}; fails at once if the process ends first. */
    public void awaitLine(String line, Duration timeout) throws Exception {
        Wait.every(Duration.ofMillis(100)).look(() -> {
            String text = launchOutput();
            if (!text.contains(line) && !process.isAlive()) {
                text = launchOutput();   // it may have printed the line just before it ended
                if (!text.contains(line)) {
                    throw new AssertionError("the process ended (exit " + process.exitValue() + ") before printing '"
                            + line + "':\n" + output());
                }
            }
            return text;
        }, text -> text.contains(line), timeout, "'" + line + "' from " + commandLine() + " (last saw: its output)");
    }

    /** Waits for the process to end (the test fails after {@code timeout}); its exit code. */
    public int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(commandLine() + " still running after " + timeout.toSeconds() + " s:\n" + output());
        }
        return process.exitValue();
    }

    /** Everything every launch on this log printed so far. */
    public String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** What the log got since this launch: this process's lines, and those of any other process sharing the log. */
    public String launchOutput() throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(logStart, all.length);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    }

    /** The script's PID; once the script has exec'd its JVM, the JVM's. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Fails, with everything it printed, if the process has ended: for waits that need it running. */
    public void assertAlive() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError(commandLine() + " ended by itself (exit " + process.exitValue() + "):\n" + output());
        }
    }

    /** SIGKILL, as a crash would; returns once the process is gone. */
    public void kill() throws InterruptedException {
        if (!kill(process)) {
            throw new AssertionError("process " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** SIGKILL to the process and whatever it started (a script's JVM that was not exec'd). */
    private static boolean kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        return p.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM, as Ctrl-C or a service manager would; true when it ended within the timeout. */
    public boolean stop(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ends the process if it still runs: SIGTERM, SIGKILL after a minute. Never fails. */
    @Override
    public void close() {
        try {
            if (process.isAlive() && !stop(CLOSE_GRACE)) {
                kill(process);
            }
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String commandLine() {
        return process.info().commandLine().orElse("process " + process.pid());
    }
}

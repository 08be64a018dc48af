package foodcdc.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A container engine for one test, as ../shared/RECIPES.md ("Running containers here") makes
 * one on a machine without Docker: Debian's podman with runc, driven through its Docker API by
 * docker-compose, from a {@code debian:bookworm-slim} base image made with debootstrap (no
 * registry is reachable). Everything it keeps is under its folder: podman's settings
 * ({@code CONTAINERS_CONF}), its image store and run folder ({@code CONTAINERS_STORAGE_CONF}),
 * its network definitions and the API socket, so the machine's own podman settings and images
 * are never touched. Health checks run from a thread (podman schedules them with systemd
 * timers, and there is no systemd). {@link #close} removes every container, image, volume and
 * network, and stops the API service, the health check thread and any DNS server the networks
 * started; a shutdown hook closes it if the test JVM ends first.
 */
final class ContainerEngine implements AutoCloseable {
    private final Path dir;
    private final Path log;
    private final Map<String, String> env = new HashMap<>();
    private final Set<Long> dnsServersBefore;
    private Process service;
    private Thread healthChecks;
    private volatile boolean closing;
    private boolean closed;
    private Runnable unhook = () -> { };

    /** A command's end: its exit code and its output (stdout and stderr together). */
    record Ran(int exit, String output) {
    }

    private ContainerEngine(Path dir) throws IOException {
        this.dir = dir;
        this.log = dir.resolve("engine.log");
        this.dnsServersBefore = dnsServers();
    }

    /** Sets up the engine in {@code dir} (made afresh), with the base image, and starts its API service. */
    static ContainerEngine start(Path dir) throws Exception {
        if (Files.exists(dir.resolve("storage.conf"))) {
            ContainerEngine leftover = new ContainerEngine(dir);   // what a killed earlier run left
            leftover.configure();
            leftover.close();
        }
        deleteTree(dir);
        Files.createDirectories(dir);
        ContainerEngine engine = new ContainerEngine(dir);
        // Also when the test JVM is stopped (Ctrl-C, a timeout): no container outlives it.
        Thread hook = new Thread(() -> {
            try {
                engine.close();
            } catch (Exception e) {
                // the JVM is ending anyway
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        engine.unhook = () -> Runtime.getRuntime().removeShutdownHook(hook);
        try {
            engine.configure();
            engine.importBaseImage();
            engine.startService();
            return engine;
        } catch (Exception | AssertionError e) {
            engine.close();
            throw e;
        }
    }

    private void configure() throws IOException {
        Path conf = dir.resolve("containers.conf");
        // No raised ulimits (refused here: "setrlimit … Operation not permitted"), runc (crun
        // refuses cgroups in hybrid mode), networks defined in this folder. Images, containers'
        // state and volumes go under the store's folder (graphroot). Not tmp_dir: conmon runs
        // `podman container cleanup` without this file, which then looks in the default one and
        // leaves every exited container "stopped" (docker-compose waits for "exited" for ever).
        Files.writeString(conf, String.join("\n",
                "[containers]", "default_ulimits = []",
                "[engine]", "runtime = \"runc\"",
                "[network]", "network_config_dir = \"" + dir.resolve("networks") + "\"", ""));
        Path storage = dir.resolve("storage.conf");
        Files.writeString(storage, String.join("\n",
                "[storage]", "driver = \"overlay\"",
                "graphroot = \"" + dir.resolve("storage") + "\"",
                "runroot = \"" + dir.resolve("run") + "\"", ""));
        env.put("CONTAINERS_CONF", conf.toString());
        env.put("CONTAINERS_STORAGE_CONF", storage.toString());
        env.put("DOCKER_HOST", "unix://" + dir.resolve("podman.sock"));
    }

    /** debian:bookworm-slim from Debian's packages (~30 s), as no image registry is reachable. */
    private void importBaseImage() throws Exception {
        Path rootfs = dir.resolve("rootfs");
        must(run(Duration.ofMinutes(10), "debootstrap", "--variant=minbase", "bookworm", rootfs.toString(),
                "http://deb.debian.org/debian"), "debootstrap");
        must(run(Duration.ofMinutes(5), "bash", "-c", "tar -C '" + rootfs + "' -c . | podman import - "
                + "docker.io/library/debian:bookworm-slim"), "podman import");
        deleteTree(rootfs);
    }

    private void startService() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("podman", "system", "service", "--time=0",
                env.get("DOCKER_HOST")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("service.log").toFile()));
        pb.environment().putAll(env);
        service = pb.start();
        Wait.until(() -> Files.exists(dir.resolve("podman.sock")) || !service.isAlive(), Duration.ofSeconds(30),
                "podman's API socket");
        if (!service.isAlive()) {
            throw new AssertionError("podman system service ended:\n" + Files.readString(dir.resolve("service.log")));
        }
        healthChecks = new Thread(this::runHealthChecks, "health-checks");
        healthChecks.setDaemon(true);
        healthChecks.start();
    }

    private void runHealthChecks() {
        while (!closing) {
            try {
                for (String name : run(Duration.ofSeconds(60), "podman", "ps", "--format", "{{.Names}}")
                        .output().lines().toList()) {
                    run(Duration.ofSeconds(60), "podman", "healthcheck", "run", name);   // no check: an error, ignored
                }
                cleanUpEnded();
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            } catch (Exception | AssertionError e) {
                // A check that hung (a container restarting, the machine busy) was killed: the
                // next round tries again. This thread must never end while the engine runs.
            }
        }
    }

    /**
     * Finishes what conmon's exit command ({@code podman container cleanup}) should have done for
     * a container whose process ended: podman keeps it "stopped" until then, and only "exited"
     * counts as ended for docker-compose ({@code service_completed_successfully}) — a CI run
     * waited 480 s on a setup container that had exited with 0. Cleaning up twice is harmless,
     * and it is also where podman applies a restart policy.
     */
    private void cleanUpEnded() throws Exception {
        for (String line : states().lines().toList()) {
            String[] nameAndState = line.split(" ");
            if (nameAndState.length >= 2 && nameAndState[1].equals("stopped")) {
                run(Duration.ofSeconds(60), "podman", "container", "cleanup", nameAndState[0]);
            }
        }
    }

    /** One line per container: its name, podman's own state (e.g. "stopped", "exited") and its health. */
    private String states() throws Exception {
        List<String> ids = run(Duration.ofSeconds(60), "podman", "ps", "--all", "--quiet").output().lines()
                .filter(l -> !l.isBlank()).toList();
        if (ids.isEmpty()) {
            return "";
        }
        List<String> command = new ArrayList<>(List.of("podman", "inspect", "--format",
                "{{.Name}} {{.State.Status}} {{.State.Health.Status}}"));
        command.addAll(ids);
        return run(Duration.ofSeconds(60), command.toArray(String[]::new)).output();
    }

    /** The variables that point podman and docker-compose at this engine. */
    Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** Runs a command with this engine's variables (plus {@code extra}), at most {@code timeout}. */
    Ran run(Map<String, String> extra, Path workDir, Duration timeout, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "run-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            pb.environment().putAll(env);
            pb.environment().putAll(extra);
            Process p = pb.start();
            boolean ended = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            // The health check thread's rounds (every 2 s) are left out, but not the clean-ups they do.
            boolean poll = Thread.currentThread() == healthChecks && !command[1].equals("container");
            if (!poll) {
                Files.writeString(log, "$ " + String.join(" ", command) + "\n" + output + "\n",
                        StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            if (!ended) {
                throw new AssertionError(String.join(" ", command) + " still running after " + timeout.toSeconds()
                        + " s (killed):\n" + tail(output));
            }
            return new Ran(p.exitValue(), output);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    Ran run(Duration timeout, String... command) throws Exception {
        return run(Map.of(), null, timeout, command);
    }

    /**
     * For a failure's message: every container with its state and the end of its log, and the
     * end of the API service's log (where podman reports what it could not do).
     */
    String describe() {
        StringBuilder out = new StringBuilder();
        try {
            String ps = run(Duration.ofMinutes(1), "podman", "ps", "--all", "--format",
                    "{{.Names}} | {{.Status}} | {{.State}}").output();
            out.append(ps).append("--- podman's states (name, state, health)\n").append(states());
            for (String line : ps.lines().toList()) {
                String name = line.split(" ")[0];
                out.append("--- ").append(name).append(" (last lines)\n").append(lastLines(
                        run(Duration.ofMinutes(1), "podman", "logs", "--tail", "12", name).output(), 12));
            }
            Path serviceLog = dir.resolve("service.log");
            if (Files.exists(serviceLog)) {
                out.append("--- podman system service (last lines)\n").append(lastLines(Files.readString(serviceLog), 15));
            }
        } catch (Exception | AssertionError e) {
            out.append("(could not ask podman: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private static String lastLines(String text, int n) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size())) + "\n";
    }

    static Ran must(Ran ran, String what) {
        if (ran.exit() != 0) {
            throw new AssertionError(what + " failed (exit " + ran.exit() + "):\n" + tail(ran.output()));
        }
        return ran;
    }

    static String tail(String output) {
        return lastLines(output, 80);
    }

    /** Removes everything the engine holds, stops its processes, and deletes its folder. */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        closing = true;
        try {
            unhook.run();
        } catch (IllegalStateException shuttingDown) {
            // called by the hook itself
        }
        if (healthChecks != null) {
            healthChecks.interrupt();
            healthChecks.join(60_000);
        }
        // Never without this engine's settings: that would be the machine's own podman.
        if (env.containsKey("CONTAINERS_STORAGE_CONF")) {
            run(Duration.ofMinutes(3), "podman", "rm", "--all", "--force", "--time", "10");
            run(Duration.ofMinutes(3), "podman", "volume", "prune", "--force");
            run(Duration.ofMinutes(3), "podman", "network", "prune", "--force");
            run(Duration.ofMinutes(3), "podman", "rmi", "--all", "--force");
        }
        if (service != null) {
            service.destroy();
            if (!service.waitFor(30, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
        // An API service a killed earlier run left, or anything else still running on this folder.
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))
                .forEach(ProcessHandle::destroy);
        // aardvark-dns serves the networks' names and may outlive them: stop the ones started here.
        for (long pid : dnsServers()) {
            if (!dnsServersBefore.contains(pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
        }
        String logText = Files.exists(log) ? Files.readString(log) : "";
        deleteTree(dir);
        Path kept = dir.resolveSibling(dir.getFileName() + ".log");
        Files.writeString(kept, logText, StandardCharsets.UTF_8);
    }

    private static Set<Long> dnsServers() {
        return Set.copyOf(ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("aardvark-dns"))
                .map(ProcessHandle::pid).toList());
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (var walk = Files.walk(path)) {
            walk.forEach(all::add);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(all.get(i));
        }
    }
}

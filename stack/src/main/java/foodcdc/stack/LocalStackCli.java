package foodcdc.stack;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code local_stack.sh start|stop|status [--config FILE] [--cluster]}: the local services of
 * the pipeline. The stack's data and logs live in {@code var/stack/<config name>/} of the
 * repository, so each config file has its own stack.
 *
 * <p>Exit codes ({@link ExitCode}): 0 done (status: PostgreSQL and Kafka run), 1 failed (status:
 * something is down), 2 bad config or usage.
 */
public final class LocalStackCli {
    private static final String USAGE =
            "usage: local_stack.sh start|stop|status [--config FILE] [--cluster] [--stack-dir DIR]";

    private LocalStackCli() {
    }

    public static void main(String[] args) throws Exception {
        ExitCode code = ExitCode.of(() -> run(args));
        if (code != ExitCode.OK) {
            System.exit(code.number);
        }
    }

    private static ExitCode run(String[] args) throws Exception {
        String command = null;
        Path configFile = Path.of(ConfigCli.DEFAULT_CONFIG);
        Path stackDir = null;
        boolean cluster = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "start", "stop", "status" -> command = args[i];
                case "--cluster" -> cluster = true;
                case "--config" -> configFile = Path.of(value(args, ++i));
                case "--stack-dir" -> stackDir = Path.of(value(args, ++i));
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return ExitCode.OK;
                }
                default -> throw usageError("unknown argument '" + args[i] + "'");
            }
        }
        if (command == null) {
            throw usageError("say start, stop or status");
        }
        PipelineConfig config = ConfigCli.load(configFile);
        Path home = Path.of(System.getProperty("foodcdc.home", ".")).toAbsolutePath().normalize();
        if (stackDir == null) {
            String name = configFile.getFileName().toString().replaceFirst("\\.ya?ml$", "");
            stackDir = home.resolve("var/stack").resolve(name);
        }
        LocalStack stack = new LocalStack(config, home, stackDir);
        switch (command) {
            case "start" -> {
                try {
                    stack.start(LocalStack.Options.defaults().withCluster(cluster));
                } catch (java.io.IOException e) {
                    System.err.println("local stack: " + e.getMessage());
                    return ExitCode.FAILED;
                }
                printStatus(stack.status(), stackDir);
                System.out.println(metricsLine(config.metrics()));
                return ExitCode.OK;
            }
            case "stop" -> {
                stack.stop();
                System.out.println("Local stack in " + stackDir + " stopped.");
                return ExitCode.OK;
            }
            default -> {
                List<String> lines = stack.status();
                printStatus(lines, stackDir);
                boolean down = lines.stream().anyMatch(l -> l.contains(" DEAD "))
                        || !stack.isRunning(LocalStack.POSTGRES) || !stack.isRunning(LocalStack.KAFKA);
                return down ? ExitCode.FAILED : ExitCode.OK;
            }
        }
    }

    private static void printStatus(List<String> lines, Path stackDir) {
        System.out.println("Local stack in " + stackDir + " (logs in " + stackDir.resolve("logs") + "):");
        lines.forEach(l -> System.out.println("  " + l));
    }

    /** Where the jobs will serve /metrics (they start after the stack): one line, for run_local.sh. */
    static String metricsLine(PipelineConfig.Metrics m) {
        return "metrics:  producer " + url(m.host(), m.producerPort()) + ", consumer " + url(m.host(), m.consumerPort())
                + " (metrics.producer_port, metrics.consumer_port; docs/MONITORING.md)";
    }

    private static String url(String host, int port) {
        return port == 0 ? "off" : "http://" + host + ":" + port + "/metrics";
    }

    private static String value(String[] args, int i) throws ExitCode.Ending {
        if (i >= args.length) {
            throw usageError(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static ExitCode.Ending usageError(String problem) {
        System.err.println("local_stack.sh: " + problem + "\n" + USAGE);
        return ExitCode.BAD_CONFIG.ending();
    }
}

package foodcdc.stack;

import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code local_stack.sh start|stop|status [--config FILE] [--cluster]}: the local services of
 * the pipeline. The stack's data and logs live in {@code var/stack/<config name>/} of the
 * repository, so each config file has its own stack.
 *
 * <p>Exit codes: 0 done (status: everything started is running), 1 failed (status: something
 * is down), 2 bad config or usage.
 */
public final class LocalStackCli {
    private static final String USAGE =
            "usage: local_stack.sh start|stop|status [--config FILE] [--cluster] [--stack-dir DIR]";

    private LocalStackCli() {
    }

    public static void main(String[] args) throws Exception {
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
                    return;
                }
                default -> usageError("unknown argument '" + args[i] + "'");
            }
        }
        if (command == null) {
            usageError("say start, stop or status");
        }
        PipelineConfig config = ConfigCli.loadOrExit(configFile);
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
                    System.exit(1);
                }
                printStatus(stack.status(), stackDir);
            }
            case "stop" -> {
                stack.stop();
                System.out.println("Local stack in " + stackDir + " stopped.");
            }
            default -> {
                List<String> lines = stack.status();
                printStatus(lines, stackDir);
                boolean down = lines.stream().anyMatch(l -> l.contains(" DEAD "))
                        || !stack.isRunning(LocalStack.POSTGRES) || !stack.isRunning(LocalStack.KAFKA);
                System.exit(down ? 1 : 0);
            }
        }
    }

    private static void printStatus(List<String> lines, Path stackDir) {
        System.out.println("Local stack in " + stackDir + " (logs in " + stackDir.resolve("logs") + "):");
        lines.forEach(l -> System.out.println("  " + l));
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usageError(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usageError(String problem) {
        System.err.println("local_stack.sh: " + problem + "\n" + USAGE);
        System.exit(2);
    }
}

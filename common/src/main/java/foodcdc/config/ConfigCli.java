package foodcdc.config;

import java.io.PrintStream;
import java.nio.file.Path;

/** How every command-line entry point loads the config: problems to stderr, exit code 2. */
public final class ConfigCli {
    public static final String DEFAULT_CONFIG = "configs/orders_stream.yml";
    public static final int EXIT_BAD_CONFIG = 2;

    private ConfigCli() {
    }

    /**
     * A job's whole command line, {@code [--config FILE]}: the loaded config, or a usage or
     * config message and exit code 2.
     */
    public static PipelineConfig loadFromArgsOrExit(String[] args, String program) {
        if (args.length == 0) {
            return loadOrExit(Path.of(DEFAULT_CONFIG));
        }
        if (args.length == 2 && args[0].equals("--config")) {
            return loadOrExit(Path.of(args[1]));
        }
        System.err.println("usage: " + program + " [--config FILE]   (default " + DEFAULT_CONFIG + ")");
        System.exit(EXIT_BAD_CONFIG);
        throw new AssertionError("unreachable");
    }

    /** Loads the config, or prints one line per problem and exits 2 before anything is touched. */
    public static PipelineConfig loadOrExit(Path file) {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            report(file, e, System.err);
            System.exit(EXIT_BAD_CONFIG);
            throw new AssertionError("unreachable");
        }
    }

    static void report(Path file, ConfigException e, PrintStream out) {
        out.println("Config " + file + " has " + e.problems().size() + " problem(s); nothing was started:");
        e.problems().forEach(p -> out.println("  config error: " + p));
    }
}

package foodcdc.config;

import foodcdc.cli.ExitCode;
import java.io.PrintStream;
import java.nio.file.Path;

/** How every command-line entry point loads the config: problems to stderr, then exit code 2. */
public final class ConfigCli {
    public static final String DEFAULT_CONFIG = "configs/orders_stream.yml";

    private ConfigCli() {
    }

    /**
     * A job's whole command line, {@code [--config FILE]}: the loaded config, or a usage or
     * config message printed and {@link ExitCode#BAD_CONFIG}.
     */
    public static PipelineConfig loadFromArgs(String[] args, String program) throws ExitCode.Ending {
        if (args.length == 0) {
            return load(Path.of(DEFAULT_CONFIG));
        }
        if (args.length == 2 && args[0].equals("--config")) {
            return load(Path.of(args[1]));
        }
        System.err.println("usage: " + program + " [--config FILE]   (default " + DEFAULT_CONFIG + ")");
        throw ExitCode.BAD_CONFIG.ending();
    }

    /** Loads the config, or prints one line per problem and ends with exit code 2 before anything is touched. */
    public static PipelineConfig load(Path file) throws ExitCode.Ending {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            report(file, e, System.err);
            throw ExitCode.BAD_CONFIG.ending();
        }
    }

    static void report(Path file, ConfigException e, PrintStream out) {
        out.println("Config " + file + " has " + e.problems().size() + " problem(s); nothing was started:");
        e.problems().forEach(p -> out.println("  config error: " + p));
    }
}

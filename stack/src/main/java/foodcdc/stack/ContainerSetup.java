package foodcdc.stack;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.retry.Backoff;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the compose stack's containers take from the config, so that names and credentials are
 * written once (configs/orders_stream.yml and its ORDERS_* overrides), as for the local stack:
 * <ul>
 *   <li>{@code credentials [--config FILE]}: the PostgreSQL user and password, one per line,
 *       for the postgres container's initdb (read by a script, never logged);</li>
 *   <li>{@code setup [--config FILE]}: the setup service. Creates the database if missing and
 *       runs db/orders.sql (table, index, sample orders into an empty table), then creates the
 *       topic with the configured partitions, exactly as the local stack does at each start
 *       (both harmless when done already). Waits up to two minutes for each service, saying
 *       what it waits for.</li>
 * </ul>
 */
public final class ContainerSetup {
    private static final String USAGE = "usage: ContainerSetup credentials|setup [--config FILE]";
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private ContainerSetup() {
    }

    public static void main(String[] args) throws Exception {
        ExitCode code = ExitCode.of(() -> run(args));
        if (code != ExitCode.OK) {
            System.exit(code.number);
        }
    }

    private static ExitCode run(String[] args) throws Exception {
        boolean withConfig = args.length == 3 && args[1].equals("--config");
        if (args.length != 1 && !withConfig) {
            System.err.println(USAGE);
            return ExitCode.BAD_CONFIG;
        }
        PipelineConfig config = ConfigCli.load(Path.of(withConfig ? args[2] : ConfigCli.DEFAULT_CONFIG));
        switch (args[0]) {
            case "credentials" -> {
                System.out.println(config.postgres().user());
                System.out.println(config.postgres().password());
                return ExitCode.OK;
            }
            case "setup" -> {
                Path home = Path.of(System.getProperty("foodcdc.home", "."));
                StackLayout layout = new StackLayout(home, Files.createTempDirectory("setup"));
                PostgresServer postgres = new PostgresServer(layout, config.postgres(), Optional.empty());
                try {
                    patiently("PostgreSQL at " + config.postgres().host() + ":" + config.postgres().port(),
                            () -> postgres.bootstrap(config.streaming().capturesChanges()));
                } catch (LoginRefused e) {
                    System.err.println("PostgreSQL refuses user " + config.postgres().user() + " with the configured "
                            + "password: its data (the postgres-data volume) was initialised with another user or "
                            + "password. Set those of the first start back (.env's POSTGRES_USER, and the file its "
                            + "POSTGRES_PASSWORD_FILE names) and run `docker compose up -d`, or change the role's "
                            + "password to the new one as docs/DOCKER.md \"Credentials\" shows, or start over with "
                            + "`docker compose down -v` (it drops the lake too).");
                    return ExitCode.CANNOT_START;
                }
                System.out.println("Database " + config.postgres().db() + " and table " + config.postgres().table()
                        + " are in place.");
                patiently("Kafka at " + config.kafka().brokers(), new KafkaBroker(layout, config.kafka(), Optional.empty())::createTopic);
                System.out.println("Topic " + config.kafka().topic() + " is in place.");
                return ExitCode.OK;
            }
            default -> {
                System.err.println(USAGE);
                return ExitCode.BAD_CONFIG;
            }
        }
    }

    /** SQLSTATE class 28: invalid authorization (wrong password, unknown user). */
    private static boolean loginRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("28")) {
                return true;
            }
        }
        return false;
    }

    private static final class LoginRefused extends Exception {
        private static final long serialVersionUID = 1L;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Runs a step until it succeeds, waiting with backoff while the service is not up yet. */
    private static void patiently(String service, Step step) throws Exception {
        Instant giveUp = Instant.now().plus(PATIENCE);
        Backoff backoff = new Backoff();
        while (true) {
            try {
                step.run();
                return;
            } catch (Exception e) {
                if (loginRefused(e)) {
                    throw new LoginRefused();   // permanent: waiting would not change it
                }
                if (Instant.now().isAfter(giveUp)) {
                    throw e;
                }
                Duration wait = backoff.next();
                System.out.println("Waiting for " + service + " (" + e.getMessage() + "); retrying in "
                        + wait.toSeconds() + " s");
                Thread.sleep(wait.toMillis());
            }
        }
    }
}

package foodcdc.stack;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code insert_test_data.sh [--config FILE] [--count N]}: inserts the five orders of
 * db/insert_test_data.sql, or N random realistic orders (db/insert_random_orders.sql), into the
 * configured table, through JDBC (no psql needed). created_at comes from the database.
 */
public final class InsertTestDataCli {
    private static final String USAGE = "usage: insert_test_data.sh [--config FILE] [--count N]";

    private InsertTestDataCli() {
    }

    public static void main(String[] args) throws Exception {
        ExitCode code = ExitCode.of(() -> run(args));
        if (code != ExitCode.OK) {
            System.exit(code.number);
        }
    }

    private static ExitCode run(String[] args) throws Exception {
        Path configFile = Path.of(ConfigCli.DEFAULT_CONFIG);
        Integer count = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if (args[i].equals("--count") && i + 1 < args.length && args[i + 1].matches("[1-9][0-9]{0,8}")) {
                count = Integer.parseInt(args[++i]);
            } else {
                System.err.println("insert_test_data.sh: unexpected '" + args[i] + "'\n" + USAGE);
                return ExitCode.BAD_CONFIG;
            }
        }
        PipelineConfig.Postgres pg = ConfigCli.load(configFile).postgres();
        Path home = Path.of(System.getProperty("foodcdc.home", "."));
        Path script = home.resolve(count == null ? "db/insert_test_data.sql" : "db/insert_random_orders.sql");
        Map<String, String> vars = count == null ? Map.of("table", pg.table())
                : Map.of("table", pg.table(), "count", count.toString());
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            int inserted = SqlScript.run(script, vars, c);
            System.out.println("Inserted " + inserted + " orders into " + pg.table() + " at " + pg.host() + ":"
                    + pg.port() + "/" + pg.db() + ".");
            return ExitCode.OK;
        } catch (SQLException e) {
            System.err.println("insert_test_data.sh: cannot insert into " + pg.table() + " at " + pg.host() + ":"
                    + pg.port() + "/" + pg.db() + ": " + e.getMessage()
                    + "\nIs the stack running? scripts/local_stack.sh start");
            return ExitCode.FAILED;
        }
    }
}

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
 * {@code insert_test_data.sh [--config FILE] [--count N | --advance N]}: inserts the five orders
 * of db/insert_test_data.sql, or N random realistic orders (db/insert_random_orders.sql), into
 * the configured table, through JDBC (no psql needed); created_at comes from the database. Or,
 * with {@code --advance N}, moves N orders along their life (db/advance_orders.sql: the next
 * status, a few cancelled, one finished order deleted), for change capture.
 */
public final class InsertTestDataCli {
    private static final String USAGE = "usage: insert_test_data.sh [--config FILE] [--count N | --advance N]";

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
        boolean advance = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Path.of(args[++i]);
            } else if ((args[i].equals("--count") || args[i].equals("--advance")) && count == null
                    && i + 1 < args.length && args[i + 1].matches("[1-9][0-9]{0,8}")) {
                advance = args[i].equals("--advance");
                count = Integer.parseInt(args[++i]);
            } else {
                System.err.println("insert_test_data.sh: unexpected '" + args[i] + "'\n" + USAGE);
                return ExitCode.BAD_CONFIG;
            }
        }
        PipelineConfig config = ConfigCli.load(configFile);
        PipelineConfig.Postgres pg = config.postgres();
        Path home = Path.of(System.getProperty("foodcdc.home", "."));
        Path script = home.resolve(count == null ? "db/insert_test_data.sql"
                : advance ? "db/advance_orders.sql" : "db/insert_random_orders.sql");
        Map<String, String> vars = count == null ? Map.of("table", pg.table())
                : Map.of("table", pg.table(), "count", count.toString());
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            int changed = SqlScript.run(script, vars, c);
            String where = pg.table() + " at " + pg.host() + ":" + pg.port() + "/" + pg.db();
            if (advance) {
                System.out.println("Moved " + changed + " orders of " + where + " to their next status (every fifth "
                        + "cancelled) and deleted the oldest finished one, if any.");
                if (!config.streaming().capturesChanges()) {
                    System.out.println("Note: streaming.capture is inserts, so these changes do not reach the lake "
                            + "(docs/CHANGES.md).");
                }
            } else {
                System.out.println("Inserted " + changed + " orders into " + where + ".");
            }
            return ExitCode.OK;
        } catch (SQLException e) {
            System.err.println("insert_test_data.sh: cannot " + (advance ? "change orders of " : "insert into ") + pg.table() + " at " + pg.host() + ":"
                    + pg.port() + "/" + pg.db() + ": " + e.getMessage()
                    + "\nIs the stack running? scripts/local_stack.sh start");
            return ExitCode.FAILED;
        }
    }
}

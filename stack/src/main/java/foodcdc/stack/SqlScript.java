package foodcdc.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** Runs one of the db/*.sql files through JDBC, with psql's variables expanded ({@link PsqlVariables}). */
public final class SqlScript {
    private SqlScript() {
    }

    /** Runs the whole script in one round trip; returns the rows the last statement changed. */
    public static int run(Path file, Map<String, String> variables, Connection connection)
            throws IOException, SQLException {
        String sql = PsqlVariables.expand(Files.readString(file, StandardCharsets.UTF_8), variables);
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
            int changed = 0;
            do {
                if (s.getUpdateCount() >= 0) {
                    changed = s.getUpdateCount();
                }
            } while (s.getMoreResults() || s.getUpdateCount() != -1);
            return changed;
        }
    }
}

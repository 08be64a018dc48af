package foodcdc.sql;

/** Names in SQL text. */
public final class SqlIdentifier {
    private SqlIdentifier() {
    }

    /**
     * An identifier quoted for PostgreSQL (and DuckDB): its case kept, any quote in it doubled.
     * The config allows only {@code [A-Za-z_][A-Za-z0-9_]*}; catalogs may hold more.
     */
    public static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}

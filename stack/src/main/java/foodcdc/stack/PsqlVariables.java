package foodcdc.stack;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands psql's variable forms {@code :"name"} (an identifier) and {@code :'name'} (a
 * literal), so the same {@code db/*.sql} files run through psql and through JDBC on a machine
 * that has no psql. Only these two forms are supported; {@code ::} casts are left alone.
 */
final class PsqlVariables {
    private static final Pattern VARIABLE = Pattern.compile("(?<!:):([\"'])([A-Za-z_][A-Za-z0-9_]*)\\1");

    private PsqlVariables() {
    }

    static String expand(String sql, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String quote = m.group(1);
            String name = m.group(2);
            String value = variables.get(name);
            if (value == null) {
                throw new IllegalArgumentException("SQL script uses psql variable '" + name
                        + "' but only " + variables.keySet() + " are set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(quote + value.replace(quote, quote + quote) + quote));
        }
        m.appendTail(out);
        return out.toString();
    }
}

package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PsqlVariablesTest {

    @Test
    void shouldQuoteIdentifiersAndLiteralsLikePsql() {
        assertEquals("CREATE TABLE \"ROLL001_orders\" (x int); SELECT 'it''s';",
                PsqlVariables.expand("CREATE TABLE :\"table\" (x int); SELECT :'word';",
                        Map.of("table", "ROLL001_orders", "word", "it's")));
    }

    @Test
    void shouldLeaveCastsAndPlainColonsAlone() {
        String sql = "SELECT '1'::numeric, x::\"char\", now() - interval '1:00'";
        assertEquals(sql, PsqlVariables.expand(sql, Map.of()));
    }

    @Test
    void shouldRefuseAnUnsetVariable() {
        assertThrows(IllegalArgumentException.class, () -> PsqlVariables.expand("SELECT * FROM :\"tabel\"", Map.of("table", "t")));
    }
}

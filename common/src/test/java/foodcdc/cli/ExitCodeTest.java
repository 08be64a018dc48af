package foodcdc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExitCodeTest {

    @Test
    void shouldBeTheTableReadmeGivesRowForRow() throws Exception {
        List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
        int header = lines.indexOf("| code | meaning |");
        assertTrue(header > 0 && lines.get(header - 1).isEmpty() && lines.get(header + 1).equals("|---|---|"),
                "README.md has no exit-code table");
        int end = header + 2;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        List<String> expected = Arrays.stream(ExitCode.values())
                .map(c -> "| " + c.number + " | " + c.meaning + " |").toList();
        assertEquals(expected, lines.subList(header + 2, end));
    }

    @Test
    void shouldNumberTheCodesZeroToThreeInOrder() {
        assertEquals(List.of(0, 1, 2, 3), Arrays.stream(ExitCode.values()).map(c -> c.number).toList());
    }

    @Test
    void shouldEndAProgramWithTheCodeItThrowsOrReturns() throws Exception {
        assertSame(ExitCode.BAD_CONFIG, ExitCode.of(() -> {
            throw ExitCode.BAD_CONFIG.ending();
        }));
        assertSame(ExitCode.FAILED, ExitCode.of(() -> ExitCode.FAILED));
    }

    /** The repository's README.md, above the module folder the tests run in. */
    private static Path readme() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("db/orders.sql"))) {
                return p.resolve("README.md");
            }
        }
        throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
    }
}

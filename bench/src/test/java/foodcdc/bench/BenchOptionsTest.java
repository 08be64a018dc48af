package foodcdc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void shouldDefaultToTheIssuesScenarios() {
        assertEquals(new BenchOptions(false, 20, 60, List.of(5, 1), 1_000_000, 20_000, false, true, 0), BenchOptions.parse());
    }

    @Test
    void shouldReadEveryOption() {
        assertEquals(new BenchOptions(true, 50, 30, List.of(2, 1), 0, 7, true, false, 3),
                BenchOptions.parse("--rate", "50", "--cluster", "--keep", "--seconds", "30", "--batch-intervals", "2, 1",
                        "--backlog", "0", "--grown-files", "7", "--no-changes", "--metrics-cost", "3"));
    }

    @Test
    void shouldNameTheBadArgument() {
        assertEquals("--rate must be a whole number from 1 to 10000, not 'fast'",
                assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rate", "fast")).getMessage());
        assertEquals("--batch-intervals must be a whole number from 1 to 86400, not '0'",
                assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--batch-intervals", "5,0"))
                        .getMessage());
        assertEquals("--backlog needs a value",
                assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--backlog")).getMessage());
        assertEquals("unknown argument --fast",
                assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--fast", "1")).getMessage());
    }
}

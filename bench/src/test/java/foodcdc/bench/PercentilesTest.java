package foodcdc.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void shouldTakeNearestRanks() {
        long[] hundred = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // unsorted on purpose
        assertEquals(new Percentiles(100, 50, 95, 99, 100), Percentiles.of(hundred));
        assertEquals(new Percentiles(1, 7, 7, 7, 7), Percentiles.of(new long[] {7}));
        // 10 samples: p95 and p99 are both the largest (ranks ceil(9.5) and ceil(9.9) = 10).
        assertEquals(new Percentiles(10, 5, 10, 10, 10), Percentiles.of(LongStream.rangeClosed(1, 10).toArray()));
    }

    @Test
    void shouldRefuseAnEmptySample() {
        assertThrows(IllegalArgumentException.class, () -> Percentiles.of(new long[0]));
    }
}

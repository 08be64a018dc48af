package foodcdc.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void shouldDoubleFromOneSecondUpToThirtyAndStartOverAfterASuccess() {
        Backoff b = new Backoff();
        long[] expected = {1, 2, 4, 8, 16, 30, 30};
        for (long seconds : expected) {
            assertEquals(Duration.ofSeconds(seconds), b.next());
        }
        assertEquals(7, b.failures());
        b.reset();
        assertEquals(Duration.ofSeconds(1), b.next());
    }
}

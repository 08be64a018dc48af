package foodcdc.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RootCauseTest {
    @Test
    void shouldNameTheDeepestCauseWithTheFirstLineOfItsMessage() {
        Exception e = new IllegalStateException("job aborted",
                new RuntimeException("wrapped", new IOException("Connection refused\n\tat somewhere")));
        assertEquals("IOException: Connection refused", RootCause.describe(e));
        assertEquals("IllegalStateException: null", RootCause.describe(new IllegalStateException()));
    }
}

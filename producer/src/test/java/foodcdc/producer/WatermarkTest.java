package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class WatermarkTest {
    private static final Watermark W = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.000001"), 101);

    @Test
    void shouldRoundTripThroughItsFileFormKeepingMicroseconds() {
        assertEquals(W, Watermark.decode(W.encode()));
        assertTrue(W.encode().contains("created_at=2025-11-18T12:24:00.000001\n"), W.encode());
        assertTrue(W.encode().contains("order_id=101\n"));
        Watermark whole = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00"), 7);
        assertTrue(whole.encode().contains("created_at=2025-11-18T12:24:00.000000\n"), "always six digits");
        assertEquals(whole, Watermark.decode(whole.encode()));
    }

    @Test
    void shouldRenderAnSqlRowWithMicroseconds() {
        assertEquals("(TIMESTAMP '2025-11-18 12:24:00.000001', 101)", W.sqlRow());
    }

    @Test
    void shouldOrderByCreatedAtThenOrderId() {
        Watermark sameTimeHigherId = new Watermark(W.createdAt(), 102);
        Watermark oneMicroLater = new Watermark(W.createdAt().plusNanos(1000), 1);
        assertTrue(W.compareTo(sameTimeHigherId) < 0);
        assertTrue(sameTimeHigherId.compareTo(oneMicroLater) < 0);
    }

    @Test
    void shouldRefuseAFileThatIsNotAWatermark() {
        assertThrows(IllegalArgumentException.class, () -> Watermark.decode("order_id=1\n"));
        assertThrows(IllegalArgumentException.class, () -> Watermark.decode("created_at=yesterday\norder_id=1\n"));
        assertThrows(IllegalArgumentException.class,
                () -> Watermark.decode("created_at=2025-11-18T12:24:00\norder_id=x\n"));
    }
}

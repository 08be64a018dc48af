package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

class ChangeWatermarkTest {
    @Test
    void shouldSurviveItsFileForm() {
        ChangeWatermark w = new ChangeWatermark(5_000_000_000L, 123_456_789L);
        assertEquals(w, ChangeWatermark.decode(w.encode()));
        assertTrue(w.encode().contains("capture=changes\nxid=5000000000\nchange_id=123456789\n"), w.encode());
    }

    @Test
    void shouldOrderByTransactionThenChange() {
        assertTrue(new ChangeWatermark(10, 99).compareTo(new ChangeWatermark(11, 1)) < 0);
        assertTrue(new ChangeWatermark(10, 2).compareTo(new ChangeWatermark(10, 1)) > 0);
        assertEquals(0, new ChangeWatermark(10, 2).compareTo(new ChangeWatermark(10, 2)));
    }

    @Test
    void shouldTellAnInsertWatermarkFromAChangeWatermark() {
        String insertMode = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00"), 41).encode();
        assertFalse(ChangeWatermark.isChangeWatermark(insertMode));
        assertTrue(ChangeWatermark.isChangeWatermark(new ChangeWatermark(1, 2).encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChangeWatermark.decode(insertMode));
        assertTrue(e.getMessage().contains("capture=changes"), e.getMessage());
    }

    @Test
    void shouldRefuseABrokenFile() {
        assertThrows(IllegalArgumentException.class, () -> ChangeWatermark.decode("capture=changes\nxid=1\n"));
        assertThrows(IllegalArgumentException.class,
                () -> ChangeWatermark.decode("capture=changes\nxid=one\nchange_id=2\n"));
        assertThrows(IllegalArgumentException.class, () -> new ChangeWatermark(-1, 2));
    }

    @Test
    void shouldCompareAsAnXid8RowInSql() {
        assertEquals("('5000000000'::xid8, 7)", new ChangeWatermark(5_000_000_000L, 7).sqlRow());
    }
}

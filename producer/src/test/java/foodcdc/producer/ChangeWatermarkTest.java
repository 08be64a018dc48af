package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeWatermarkTest {
    private final Snapshot first = Snapshot.parse("5000000000:5000000010:5000000000,5000000007");
    private final Snapshot second = Snapshot.parse("5000000007:5000000020:5000000007");
    private final ChangeWatermark.Key key = new ChangeWatermark.Key(5_000_000_003L, 123_456_789L);

    @Test
    void shouldSurviveItsFileForm() {
        ChangeWatermark done = ChangeWatermark.upTo(first);
        assertEquals(done, ChangeWatermark.decode(done.encode()));
        assertTrue(done.encode().contains("capture=changes\npublished=5000000000:5000000010:5000000000,5000000007\n"),
                done.encode());
        ChangeWatermark midway = new ChangeWatermark(Optional.of(first), Optional.of(second), Optional.of(key));
        assertEquals(midway, ChangeWatermark.decode(midway.encode()));
        assertTrue(midway.encode().contains("working=5000000007:5000000020:5000000007\nafter_xid=5000000003\n"
                + "after_change_id=123456789\n"), midway.encode());
        ChangeWatermark firstBatch = ChangeWatermark.after(Optional.empty(), first, key, false);
        assertEquals(Optional.empty(), firstBatch.published());
        assertEquals(firstBatch, ChangeWatermark.decode(firstBatch.encode()));
    }

    @Test
    void shouldMoveToTheNextSnapshotOnlyOnceAllOfItIsPublished() {
        ChangeWatermark done = ChangeWatermark.upTo(first);
        ChangeWatermark part = ChangeWatermark.after(Optional.of(done), second, key, false);
        assertEquals(new ChangeWatermark(Optional.of(first), Optional.of(second), Optional.of(key)), part);
        assertEquals(second, part.target(Snapshot.parse("5000000030:5000000031:")), "the working snapshot, kept");
        assertEquals(ChangeWatermark.upTo(second), ChangeWatermark.after(Optional.of(part), second, key, true));
    }

    @Test
    void shouldReadSnapshotsAsPostgresWritesThem() {
        assertEquals(new Snapshot(10, 20, List.of(10L, 15L)), Snapshot.parse("10:20:10,15"));
        assertEquals(new Snapshot(12, 12, List.of()), Snapshot.parse("12:12:"));
        assertEquals("10:20:10,15", Snapshot.parse("10:20:10,15").text());
        assertEquals("'12:12:'::pg_snapshot", Snapshot.parse("12:12:").sql());
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse("10:20"));
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse("20:10:"));
        assertThrows(IllegalArgumentException.class, () -> Snapshot.parse("10:20:25"), "in progress past xmax");
    }

    @Test
    void shouldTellAnInsertWatermarkFromAChangeWatermark() {
        String insertMode = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00"), 41).encode();
        assertFalse(ChangeWatermark.isChangeWatermark(insertMode));
        assertTrue(ChangeWatermark.isChangeWatermark(ChangeWatermark.upTo(first).encode()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChangeWatermark.decode(insertMode));
        assertTrue(e.getMessage().contains("capture=changes"), e.getMessage());
    }

    @Test
    void shouldRefuseABrokenFile() {
        assertThrows(IllegalArgumentException.class, () -> ChangeWatermark.decode("capture=changes\n"), "no snapshot");
        assertThrows(IllegalArgumentException.class,
                () -> ChangeWatermark.decode("capture=changes\npublished=1:2:\nworking=2:3:\n"), "no key");
        assertThrows(IllegalArgumentException.class,
                () -> ChangeWatermark.decode("capture=changes\nworking=2:3:\nafter_xid=one\nafter_change_id=2\n"));
        assertThrows(IllegalArgumentException.class, () -> new ChangeWatermark.Key(-1, 2));
    }

    @Test
    void shouldCompareAKeyAsAnXid8RowInSql() {
        assertEquals("('5000000000'::xid8, 7)", new ChangeWatermark.Key(5_000_000_000L, 7).sqlRow());
    }
}

package foodcdc.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.storage.StateFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeSourceTest {
    private static final LakeSource.Order ORDER = new LakeSource.Order(42, LocalDateTime.parse("2025-11-18T12:24:00.000001"));

    @TempDir
    Path tmp;

    @Test
    void shouldReadBackWhatItWroteAsAPlainFileInTheLake() throws Exception {
        StateFile file = LakeSource.file(tmp.toString(), new Configuration());
        assertEquals(Optional.empty(), LakeSource.read(file));
        LakeSource source = new LakeSource("7300000000000000001", "ROLL001_orders", 16384, 57, Optional.of(ORDER));
        source.write(file);
        assertEquals(Optional.of(source), LakeSource.read(file));
        String text = Files.readString(tmp.resolve(LakeSource.FILE));
        assertTrue(text.startsWith("# The PostgreSQL source this lake was built from"), text);
        assertTrue(text.contains("\nlast_order_created_at=2025-11-18T12:24:00.000001\n"), text);

        LakeSource noOrderYet = new LakeSource("7300000000000000001", "ROLL001_orders", 16384, -1, Optional.empty());
        noOrderYet.write(file);
        assertEquals(Optional.of(noOrderYet), LakeSource.read(file));
    }

    @Test
    void shouldKeepTheHighestPublishedOrderIdAndTheNewestPublishedOrder() {
        LakeSource recorded = new LakeSource("1", "t", 9, 57, Optional.of(ORDER));
        LakeSource.Order newer = new LakeSource.Order(60, LocalDateTime.parse("2025-11-18T13:00:00"));
        assertEquals(new LakeSource("1", "t", 9, 61, Optional.of(newer)),
                recorded.updatedBy(new LakeSource("1", "t", 9, 61, Optional.of(newer))));
        assertEquals(recorded, recorded.updatedBy(new LakeSource("1", "t", 9, 50, Optional.empty())),
                "a look without a published batch changes nothing");
    }

    @Test
    void shouldRefuseARecordItCannotReadNamingTheFile() throws Exception {
        StateFile file = LakeSource.file(tmp.toString(), new Configuration());
        Files.writeString(tmp.resolve(LakeSource.FILE), "system_identifier=1\ntable=t\ntable_oid=x\n");
        IOException e = assertThrows(IOException.class, () -> LakeSource.read(file));
        assertTrue(e.getMessage().startsWith(tmp.resolve(LakeSource.FILE) + " is not a source record ("), e.getMessage());
    }
}

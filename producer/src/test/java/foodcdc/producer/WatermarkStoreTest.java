package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WatermarkStoreTest {
    @TempDir
    Path tmp;

    @Test
    void shouldBeEmptyOnAFirstRunAndKeepTheLastSavedWatermark() throws IOException {
        WatermarkStore store = new WatermarkStore(tmp.resolve("a/b").toString(), new Configuration());
        assertEquals(Optional.empty(), store.load());
        Watermark first = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.000001"), 1);
        Watermark second = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.000002"), 2);
        store.save(first);
        store.save(second);
        assertEquals(Optional.of(second), new WatermarkStore(tmp.resolve("a/b").toString(), new Configuration()).load());
        try (Stream<Path> files = Files.list(tmp.resolve("a/b"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).toList();
            assertEquals(List.of("watermark.properties"), names, "no temporary file left");
        }
    }

    @Test
    void shouldRefuseACorruptFileWithItsPath() throws IOException {
        Files.writeString(tmp.resolve("watermark.properties"), "garbage");
        IOException e = assertThrows(IOException.class, () -> new WatermarkStore(tmp.toString(), new Configuration()).load());
        assertEquals(true, e.getMessage().contains("watermark.properties is not a watermark"), e.getMessage());
    }
}

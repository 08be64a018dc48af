package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
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
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of("watermark.properties"), names, "no temporary file left");
        }
    }

    @Test
    void shouldReadBackEachModesWatermarkAsItsOwn() throws IOException {
        WatermarkStore store = new WatermarkStore(tmp.toString(), new Configuration());
        ChangeWatermark change = ChangeWatermark.upTo(Snapshot.parse("7000000123:7000000125:7000000123"));
        store.save(change);
        assertEquals(Optional.of(change), store.load());
        Files.writeString(tmp.resolve("watermark.properties"), "capture=changes\nworking=12:13:\n");
        IOException e = assertThrows(IOException.class, store::load);
        assertTrue(e.getMessage().contains("is not a change capture watermark") && e.getMessage().contains("published"),
                e.getMessage());
    }

    @Test
    void shouldRefuseACorruptFileWithItsPath() throws IOException {
        Files.writeString(tmp.resolve("watermark.properties"), "garbage");
        IOException e = assertThrows(IOException.class, () -> new WatermarkStore(tmp.toString(), new Configuration()).load());
        assertEquals(true, e.getMessage().contains("watermark.properties is not a watermark"), e.getMessage());
    }

    @Test
    void shouldNeverBeFoundMissingOrUnreadableByAReaderDuringThousandsOfSaves() throws Exception {
        String dir = tmp.resolve("w").toString();
        WatermarkStore writer = new WatermarkStore(dir, new Configuration());
        writer.save(new Watermark(LocalDateTime.parse("2025-11-18T12:00:00"), 0));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                WatermarkStore store = new WatermarkStore(dir, new Configuration());
                while (!done.get()) {
                    if (store.load().isEmpty()) {
                        problem.set("no watermark after " + reads.get() + " reads");
                    }
                    reads.incrementAndGet();
                }
            } catch (Exception e) {
                problem.set(e.toString());
            }
        });
        reader.start();
        for (int i = 1; i <= 2000 && problem.get() == null; i++) {
            writer.save(new Watermark(LocalDateTime.parse("2025-11-18T12:00:00").plusNanos(i * 1000L), i));
        }
        done.set(true);
        reader.join(10_000);
        assertEquals(null, problem.get());
        assertTrue(reads.get() > 100, "the reader ran: " + reads.get());
        assertEquals(2000, ((Watermark) writer.load().orElseThrow()).orderId());
    }

    @Test
    void shouldBeAPlainFileThatAnOperatorMayEditEvenBesideAnOldChecksumFile() throws IOException {
        // An earlier version wrote through Hadoop's checksummed local file system: a .crc sidecar.
        Path file = tmp.resolve("watermark.properties");
        Watermark old = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.000001"), 1);
        try (var out = FileSystem.getLocal(new Configuration()).create(new org.apache.hadoop.fs.Path(file.toString()))) {
            out.write(old.encode().getBytes(StandardCharsets.UTF_8));
        }
        assertTrue(Files.exists(tmp.resolve(".watermark.properties.crc")));
        // An operator edits it by hand (to replay from an earlier point, say).
        Watermark edited = new Watermark(LocalDateTime.parse("2025-11-18T11:00:00"), 0);
        Files.writeString(file, edited.encode());
        WatermarkStore store = new WatermarkStore(tmp.toString(), new Configuration());
        assertEquals(Optional.of(edited), store.load());
        store.save(old);
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of("watermark.properties"), files.map(p -> p.getFileName().toString()).toList(),
                    "a plain file: no sidecar, no temporary file");
        }
    }
}

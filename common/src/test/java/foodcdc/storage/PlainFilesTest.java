package foodcdc.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlainFilesTest {
    @TempDir
    Path tmp;

    /** Watches {@code file} on another thread; counts reads that found it missing or not one of the versions written. */
    private static final class Reader implements AutoCloseable {
        final AtomicBoolean done = new AtomicBoolean();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger missing = new AtomicInteger();
        final AtomicReference<String> bad = new AtomicReference<>();
        final Thread thread;

        Reader(Path file) {
            thread = new Thread(() -> {
                while (!done.get()) {
                    try {
                        String text = Files.readString(file, StandardCharsets.UTF_8);
                        if (!text.matches("version \\d+ of a complete file\n")) {
                            bad.set(text);
                        }
                    } catch (NoSuchFileException e) {
                        missing.incrementAndGet();
                    } catch (Exception e) {
                        bad.set(e.toString());
                    }
                    reads.incrementAndGet();
                }
            });
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            done.set(true);
            thread.join(10_000);
        }
    }

    private static byte[] version(int i) {
        return ("version " + i + " of a complete file\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldNeverLeaveAnInstantWithoutTheFileWhileReplacingItThousandsOfTimes() throws Exception {
        Path file = tmp.resolve("lake/date=2025-11-18/batch-1.parquet");
        Files.createDirectories(file.getParent());
        Files.write(file, version(0));
        Configuration conf = new Configuration();
        Reader reader = new Reader(file);
        try (reader) {
            for (int i = 1; i <= 3000; i++) {
                Path staged = tmp.resolve("staging-" + i);
                Files.write(staged, version(i));
                PlainFiles.replace(new org.apache.hadoop.fs.Path(staged.toString()),
                        new org.apache.hadoop.fs.Path("file://" + file), conf);
            }
        }
        assertEquals(0, reader.missing.get(), "reads that found no file, of " + reader.reads.get());
        assertEquals(null, reader.bad.get());
        assertTrue(reader.reads.get() > 100, "the reader ran: " + reader.reads.get());
        assertEquals("version 3000 of a complete file\n", Files.readString(file));
        try (Stream<Path> left = Files.list(file.getParent())) {
            assertEquals(List.of("batch-1.parquet"), left.map(p -> p.getFileName().toString()).toList(),
                    "one plain file, no .crc sidecar");
        }
    }

    @Test
    void shouldWriteDurablyThroughATemporaryFileWithoutEverLosingTheOldOne() throws Exception {
        Path file = tmp.resolve("w/watermark.properties");
        Path staged = tmp.resolve("w/.watermark.properties.tmp");
        PlainFiles.writeLocalAtomically(file, staged, version(0));
        Reader reader = new Reader(file);
        try (reader) {
            for (int i = 1; i <= 3000; i++) {
                PlainFiles.writeLocalAtomically(file, staged, version(i));
            }
        }
        assertEquals(0, reader.missing.get(), "reads that found no file, of " + reader.reads.get());
        assertEquals(null, reader.bad.get());
        assertFalse(Files.exists(staged), "no temporary file left");
        assertEquals("version 3000 of a complete file\n", Files.readString(file));
    }

    @Test
    void shouldTellLocalPathsFromOthers() {
        assertTrue(PlainFiles.isLocal(new org.apache.hadoop.fs.Path("var/lake")));
        assertTrue(PlainFiles.isLocal(new org.apache.hadoop.fs.Path("file:///tmp/lake")));
        assertFalse(PlainFiles.isLocal(new org.apache.hadoop.fs.Path("hdfs://nn:8020/lake")));
        assertFalse(PlainFiles.isLocal(new org.apache.hadoop.fs.Path("s3a://bucket/lake")));
        assertEquals(Path.of("/tmp/lake/x"), PlainFiles.local(new org.apache.hadoop.fs.Path("file:///tmp/lake/x")));
    }
}

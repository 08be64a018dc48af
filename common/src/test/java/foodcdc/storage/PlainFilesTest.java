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
        PlainFiles plain = new PlainFiles(new org.apache.hadoop.fs.Path(tmp.toString()), new Configuration());
        Reader reader = new Reader(file);
        try (reader) {
            for (int i = 1; i <= 3000; i++) {
                Path staged = tmp.resolve("staging-" + i);
                Files.write(staged, version(i));
                plain.replace(new org.apache.hadoop.fs.Path(staged.toString()),
                        new org.apache.hadoop.fs.Path("file://" + file));
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
    void shouldTellLocalLocationsFromOthersByTheirQualifiedPath() throws Exception {
        Configuration local = new Configuration();
        assertTrue(new PlainFiles(new org.apache.hadoop.fs.Path("var/lake"), local).isLocal());
        assertTrue(new PlainFiles(new org.apache.hadoop.fs.Path("file:///tmp/lake"), local).isLocal());
        assertFalse(new PlainFiles(new org.apache.hadoop.fs.Path("hdfs://127.0.0.1:1/lake"), local).isLocal());
        // On a Hadoop cluster a path without a scheme is on HDFS, not on the driver's disk.
        Configuration cluster = new Configuration();
        cluster.set("fs.defaultFS", "hdfs://127.0.0.1:1");
        assertFalse(new PlainFiles(new org.apache.hadoop.fs.Path("/datalake/food/orders"), cluster).isLocal());
        assertEquals(Path.of("/tmp/lake/x"), PlainFiles.local(new org.apache.hadoop.fs.Path("file:///tmp/lake/x")));
    }

    @Test
    void shouldReplaceAcrossFileSystemsInOneStepAtTheTarget() throws Exception {
        // /dev/shm is a tmpfs: another file system than the temp folder's disk, as a mounted volume is.
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/dev/shm")), "no /dev/shm here");
        Path otherDisk = Files.createTempDirectory(Path.of("/dev/shm"), "plainfiles-");
        try {
            org.junit.jupiter.api.Assumptions.assumeFalse(Files.getFileStore(otherDisk).equals(Files.getFileStore(tmp)),
                    "the temp folder is on /dev/shm's file system too");
            Path staged = otherDisk.resolve("part-0.parquet");
            Files.write(staged, version(2));
            Path file = tmp.resolve("date=2025-11-18/batch-1.parquet");
            Files.createDirectories(file.getParent());
            Files.write(file, version(1));
            new PlainFiles(new org.apache.hadoop.fs.Path(tmp.toString()), new Configuration())
                    .replace(new org.apache.hadoop.fs.Path(staged.toString()), new org.apache.hadoop.fs.Path(file.toString()));
            assertEquals("version 2 of a complete file\n", Files.readString(file));
            assertFalse(Files.exists(staged));
            try (Stream<Path> left = Files.list(file.getParent())) {
                assertEquals(List.of("batch-1.parquet"), left.map(p -> p.getFileName().toString()).toList());
            }
        } finally {
            try (Stream<Path> left = Files.walk(otherDisk)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

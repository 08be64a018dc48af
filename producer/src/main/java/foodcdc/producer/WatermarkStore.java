package foodcdc.producer;

import foodcdc.storage.PlainFiles;
import foodcdc.storage.StateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Path;

/**
 * The watermark file {@code watermark.properties} under
 * {@code streaming.last_processed_timestamp_location}, through Hadoop's file APIs so the
 * location may be local, {@code hdfs://} or {@code s3a://}. It is written to a temporary file
 * and renamed over the old one, so a crash leaves the old or the new watermark, never half.
 *
 * <p>On local disk it is a plain file (no Hadoop {@code .crc} sidecar, so an operator may edit
 * it), forced to disk and replaced by one {@code rename(2)}: there is no instant without the
 * file, which would make a restart publish the whole table again. On HDFS the replacing rename
 * is atomic too; on S3A it is a copy then a delete, see {@link PlainFiles}.
 */
public final class WatermarkStore {
    private final FileContext fs;
    private final PlainFiles plain;
    private final Path file;

    WatermarkStore(String location, Configuration hadoopConf) throws IOException {
        Path dir = new Path(location);
        this.fs = FileContext.getFileContext(dir.toUri(), hadoopConf);
        this.plain = new PlainFiles(dir, hadoopConf);
        this.file = new Path(dir, StateFiles.WATERMARK);
    }

    /** Empty on a first run: then every existing row (or change) is published. */
    Optional<Position> load() throws IOException {
        Optional<byte[]> bytes = read();
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        String text = new String(bytes.get(), StandardCharsets.UTF_8);
        if (ChangeWatermark.isChangeWatermark(text)) {
            try {
                return Optional.of(ChangeWatermark.decode(text));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " is not a change capture watermark (" + e.getMessage() + "). Fix it "
                        + "(capture=changes and published=xmin:xmax:in-progress, the last snapshot published), or "
                        + "delete it to publish every change the change table holds again (the consumer drops the "
                        + "copies).", e);
            }
        }
        try {
            return Optional.of(Watermark.decode(text));
        } catch (IllegalArgumentException e) {
            // Never guess: starting over would re-publish every row, starting late would skip rows.
            throw new IOException(file + " is not a watermark (" + e.getMessage() + "). Fix it (two lines: "
                    + "created_at=2026-01-31T12:00:00.000000 and order_id=123, the last order published), or "
                    + "delete it to publish every row again (the consumer drops the copies).", e);
        }
    }

    private Optional<byte[]> read() throws IOException {
        if (plain.isLocal()) {
            java.nio.file.Path local = PlainFiles.local(file);
            // A sidecar left by an earlier version would no longer match once the file is edited.
            Files.deleteIfExists(local.resolveSibling("." + StateFiles.WATERMARK + ".crc"));
            return Files.exists(local) ? Optional.of(Files.readAllBytes(local)) : Optional.empty();
        }
        if (!fs.util().exists(file)) {
            return Optional.empty();
        }
        try (InputStream in = fs.open(file)) {
            return Optional.of(in.readAllBytes());
        }
    }

    void save(Position watermark) throws IOException {
        plain.write(file, watermark.encode().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return file.toString();
    }
}

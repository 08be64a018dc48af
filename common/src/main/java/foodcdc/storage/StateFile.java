package foodcdc.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A small {@code key=value} file a job keeps its state in, on any Hadoop file system: read
 * whole, replaced whole ({@link PlainFiles#write}: a crash leaves the old content or the new).
 * On local disk a plain file an operator may read and edit. Lines starting with {@code #} are
 * comments, written as the file's first line to say what it is.
 */
public final class StateFile {
    private final Path file;
    private final PlainFiles plain;
    private final FileSystem fs;

    public StateFile(Path file, Configuration conf) throws IOException {
        this.file = file;
        this.plain = new PlainFiles(file.getParent(), conf);
        this.fs = file.getFileSystem(conf);
    }

    /** The file's keys and values in their order; empty when there is no file. */
    public Optional<Map<String, String>> read() throws IOException {
        String text;
        if (plain.isLocal()) {
            java.nio.file.Path local = PlainFiles.local(file);
            if (!Files.exists(local)) {
                return Optional.empty();
            }
            text = Files.readString(local, StandardCharsets.UTF_8);
        } else {
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(file)) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (!line.isBlank() && !line.startsWith("#") && eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return Optional.of(values);
    }

    /** Replaces the file with {@code values}, after the comment line {@code about}. */
    public void write(String about, Map<String, String> values) throws IOException {
        StringBuilder text = new StringBuilder("# ").append(about).append('\n');
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        plain.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return file.toString();
    }
}

package foodcdc.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.Writer;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A config as the YAML file {@link ConfigLoader} reads, written from {@link ConfigSchema}: every
 * key, the password included (the file is for jobs and scripts run as separate processes).
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static String yaml(PipelineConfig config) {
        return yaml(config, Optional.empty());
    }

    /**
     * {@link #yaml}, with the secrets (the password, the Kafka client properties) each in a file
     * of {@code secrets} that only the owner can read, named by the key's {@code _file} form.
     */
    public static Path writeWithSecretFiles(PipelineConfig config, Path file, Path secrets) {
        try {
            Files.createDirectories(secrets);
            return Files.writeString(file, yaml(config, Optional.of(secrets)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String yaml(PipelineConfig config, Optional<Path> secrets) {
        StringBuilder out = new StringBuilder();
        String section = null;
        // ConfigSchema lists each section's keys together (ConfigRecordsTest checks it).
        for (ConfigKey key : ConfigSchema.KEYS) {
            if (!key.section().equals(section)) {
                section = key.section();
                out.append(section).append(":\n");
            }
            Object value = ConfigRecords.value(config, key.path());
            if (secrets.isPresent() && key.holdsSecrets() && !(value instanceof Map<?, ?> m && m.isEmpty())) {
                Path kept = secretFile(secrets.get().resolve(key.path()), value);
                out.append("  ").append(key.name()).append(ConfigKey.FILE_SUFFIX).append(": ")
                        .append(quoted(kept.toAbsolutePath().toString())).append('\n');
                continue;
            }
            out.append("  ").append(key.name()).append(":");
            if (value instanceof Map<?, ?> map) {
                out.append(map.isEmpty() ? " {}" : "");
                new TreeMap<>(map).forEach((name, v) -> out.append("\n    ").append(quoted(name.toString())).append(": ")
                        .append(quoted(v.toString())));
            } else {
                out.append(' ').append(key.type() == ConfigKey.Type.INTEGER ? value : quoted((String) value));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Writes {@link #yaml} to {@code file}; returns it. */
    public static Path write(PipelineConfig config, Path file) {
        try {
            return Files.writeString(file, yaml(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A value as its file holds it: text as it is, a map as key=value lines (the loader reads both back). */
    private static Path secretFile(Path file, Object value) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            if (value instanceof Map<?, ?> map) {
                Properties p = new Properties();
                map.forEach((k, v) -> p.setProperty(k.toString(), v.toString()));
                try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                    p.store(w, null);
                }
            } else {
                Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML double-quoted scalar: the backslash, the quote and every control character escaped. */
    static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '\\' || ch == '"') {
                out.append('\\').append(ch);
            } else if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029' || ch == '\u0085') {
                out.append(String.format("\\u%04x", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.append('"').toString();
    }
}

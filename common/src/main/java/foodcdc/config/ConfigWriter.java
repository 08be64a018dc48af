package foodcdc.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * A config as the YAML file {@link ConfigLoader} reads, written from {@link ConfigSchema}: every
 * key, the password included (the file is for jobs and scripts run as separate processes).
 */
public final class ConfigWriter {
    private ConfigWriter() {
    }

    public static String yaml(PipelineConfig config) {
        StringBuilder out = new StringBuilder();
        String section = null;
        // ConfigSchema lists each section's keys together (ConfigRecordsTest checks it).
        for (ConfigKey key : ConfigSchema.KEYS) {
            if (!key.section().equals(section)) {
                section = key.section();
                out.append(section).append(":\n");
            }
            Object value = ConfigRecords.value(config, key.path());
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

package foodcdc.stack;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What a stack has running: for each component its PID and address, kept in
 * {@code stack.properties} in the stack folder so that {@code status} and {@code stop} from
 * another command find them. Written atomically (temporary file, then rename).
 */
final class StackState {
    private final Path file;
    private final Properties props = new Properties();

    private StackState(Path file) {
        this.file = file;
    }

    static StackState load(Path file) throws IOException {
        StackState state = new StackState(file);
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                state.props.load(r);
            }
        }
        return state;
    }

    Optional<Long> pid(String component) {
        return Optional.ofNullable(props.getProperty(component + ".pid")).map(Long::parseLong);
    }

    Optional<String> get(String component, String field) {
        return Optional.ofNullable(props.getProperty(component + "." + field));
    }

    void put(String component, long pid, String field, String value) throws IOException {
        props.setProperty(component + ".pid", Long.toString(pid));
        props.setProperty(component + "." + field, value);
        save();
    }

    void put(String component, String field, String value) throws IOException {
        props.setProperty(component + "." + field, value);
        save();
    }

    void remove(String component) throws IOException {
        props.keySet().removeIf(k -> k.toString().startsWith(component + "."));
        save();
    }

    private void save() throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            props.store(w, "Local stack: PIDs and addresses (written by LocalStack)");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

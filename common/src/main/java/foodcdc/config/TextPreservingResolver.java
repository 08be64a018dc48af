package foodcdc.config;

import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Which plain YAML scalars are read as something other than text: only those whose text reads
 * back the same ({@code true}, {@code false}, decimal integers without a sign or zero in front,
 * {@code null} and nothing). SnakeYAML's default follows YAML 1.1, where {@code off}, {@code yes}
 * and {@code no} are booleans, {@code 012} is 10, {@code 1_000} and {@code 1:30} are numbers and
 * {@code 2024-01-01} a date: an unquoted password or Kafka property such as
 * {@code ssl.key.password: off} would reach the server changed, and the login fail with nothing
 * saying why. Anything else stays text, as written.
 */
final class TextPreservingResolver extends Resolver {
    private static final Pattern BOOLEAN = Pattern.compile("^(?:true|false)$");
    private static final Pattern INTEGER = Pattern.compile("^(?:0|-?[1-9][0-9]*)$");
    private static final Pattern NOTHING = Pattern.compile("^(?:~|null)$");

    @Override
    protected void addImplicitResolvers() {
        addImplicitResolver(Tag.BOOL, BOOLEAN, "tf");
        addImplicitResolver(Tag.INT, INTEGER, "-0123456789");
        addImplicitResolver(Tag.NULL, NOTHING, "~n");
        addImplicitResolver(Tag.NULL, EMPTY, null);
        addImplicitResolver(Tag.MERGE, MERGE, "<");   // <<: *defaults, as before
    }
}

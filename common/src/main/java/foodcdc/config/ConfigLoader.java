package foodcdc.config;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.text.EditDistance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Loads {@code orders_stream.yml} into a {@link PipelineConfig}, validated once.
 *
 * <p>Every value can be overridden from the environment: the key's dotted path, upper-cased,
 * dots turned into underscores, prefixed with {@code ORDERS_} (e.g. {@code postgres.password}
 * is {@code ORDERS_POSTGRES_PASSWORD}). Any value may be kept in a file instead, as secrets are
 * mounted: {@code ORDERS_POSTGRES_PASSWORD_FILE}, or {@code password_file:} in the YAML. All problems are collected and reported together, each
 * naming its key; nothing is half-loaded.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static PipelineConfig load(Path file) throws ConfigException {
        return load(file, System.getenv());
    }

    public static PipelineConfig load(Path file, Map<String, String> env) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of("config file " + file + " cannot be read: " + e));
        }
        return parse(text, file.toString(), env);
    }

    static PipelineConfig parse(String yamlText, String source, Map<String, String> env) throws ConfigException {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()),
                    new DumperOptions(), options, new TextPreservingResolver()).load(yamlText);
        } catch (YAMLException e) {
            throw new ConfigException(List.of("config file " + source + " is not valid YAML" + syntaxError(e)));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Object> raw = flatten(document, source, problems);
        Map<String, Object> values = typedValues(raw, env, problems);
        problems.addAll(unknownEnvironmentOverrides(env));
        if (problems.isEmpty()) {
            checkJdbcUrlAgrees(values).ifPresent(problems::add);
            checkMetricsPortsDiffer(values).ifPresent(problems::add);
            problems.addAll(KafkaClientProperties.problems(castMap(values.get("kafka.properties"))));
            problems.addAll(missingNamedFiles(values));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return ConfigRecords.build(values);
    }

    /**
     * Where, and the kind of error, without SnakeYAML's words: they quote the line, or a piece of
     * it ("found undefined alias Xy9z" for {@code password: *Xy9z}), which may be a password or
     * a JAAS config.
     */
    private static String syntaxError(YAMLException e) {
        String kind = e instanceof DuplicateKeyException ? "a key given twice" : e.getClass().getSimpleName();
        if (e instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
            return " at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                    + (marked.getProblemMark().getColumn() + 1) + " (" + kind
                    + "; a value starting with * & ! % @ ` or holding ': ' or ' #' needs quotes)";
        }
        return " (" + kind + ")";
    }

    /** The YAML's {@code section.key} values; unknown keys and misplaced values are problems. */
    private static Map<String, Object> flatten(Object document, String source, List<String> problems) {
        Map<String, Object> flat = new HashMap<>();
        if (document == null) {
            return flat;
        }
        if (!(document instanceof Map<?, ?> top)) {
            problems.add("config file " + source + " must be a mapping of sections (postgres, kafka, ...)");
            return flat;
        }
        Set<String> sections = ConfigSchema.KEYS.stream().map(ConfigKey::section)
                .collect(Collectors.toCollection(TreeSet::new));
        for (var section : top.entrySet()) {
            String name = String.valueOf(section.getKey());
            if (!sections.contains(name)) {
                problems.add(unknownKey(name, sections));
            } else if (!(section.getValue() instanceof Map<?, ?> keys)) {
                problems.add(name + ": expected a mapping of keys, got " + section.getValue());
            } else {
                for (var key : keys.entrySet()) {
                    flat.put(name + "." + key.getKey(), key.getValue());
                }
            }
        }
        Set<String> known = ConfigSchema.KEYS.stream().flatMap(k -> Stream.of(k.path(), k.filePath()))
                .collect(Collectors.toSet());
        flat.keySet().stream().filter(k -> !known.contains(k)).sorted()
                .forEach(k -> problems.add(unknownKey(k, known)));
        return flat;
    }

    private static Map<String, Object> typedValues(Map<String, Object> yaml, Map<String, String> env,
                                                   List<String> problems) {
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey key : ConfigSchema.KEYS) {
            Optional<Raw> raw = raw(key, yaml, env, problems);
            if (raw.isEmpty()) {
                continue;
            }
            String where = raw.get().where();
            ConfigKey.Conversion converted = key.convert(raw.get().value());
            if (converted.failed()) {
                problems.add(where + ": " + converted.problem());
                continue;
            }
            Optional<String> broken = key.rule().apply(converted.value());
            if (broken.isPresent()) {
                problems.add(where + ": " + broken.get());
                continue;
            }
            values.put(key.path(), converted.value());
        }
        return values;
    }

    /** A key's value before conversion, and where it came from (for the messages). */
    private record Raw(Object value, String where) {
    }

    /**
     * The key's value: from the environment (its variable, or the file its {@code _FILE} variable
     * names), else from the YAML (the key, or the file its {@code _file} key names), else the
     * default. Empty, with a problem said, when it is missing, given twice or its file unreadable.
     */
    private static Optional<Raw> raw(ConfigKey key, Map<String, Object> yaml, Map<String, String> env,
                                     List<String> problems) {
        String path = key.path();
        if (env.containsKey(key.envName()) && env.containsKey(key.fileEnvName())) {
            problems.add(path + ": both " + key.envName() + " and " + key.fileEnvName() + " are set; set one");
            return Optional.empty();
        }
        if (yaml.containsKey(path) && yaml.containsKey(key.filePath())) {
            problems.add(path + ": both " + path + " and " + key.filePath() + " are given; give one");
            return Optional.empty();
        }
        if (env.containsKey(key.envName())) {
            return Optional.of(new Raw(env.get(key.envName()), path + " (from " + key.envName() + ")"));
        }
        if (env.containsKey(key.fileEnvName())) {
            return fileValue(key, env.get(key.fileEnvName()), path + " (from the file " + key.fileEnvName() + " names)",
                    problems);
        }
        if (yaml.containsKey(path)) {
            return Optional.of(new Raw(yaml.get(path), path));
        }
        if (yaml.containsKey(key.filePath())) {
            Object file = yaml.get(key.filePath());
            if (!(file instanceof String name)) {
                problems.add(key.filePath() + ": expected the path of a file, got " + file);
                return Optional.empty();
            }
            return fileValue(key, name, path + " (from the file " + key.filePath() + " names)", problems);
        }
        if (key.defaultValue().isPresent()) {
            return Optional.of(new Raw(key.defaultValue().get(), path));
        }
        problems.add(path + ": missing (" + key.doc() + ")");
        return Optional.empty();
    }

    /**
     * A value kept in a file, as Docker and Kubernetes mount secrets: the whole file, without one
     * trailing line end (an editor's or {@code echo}'s). For a secret, the message does not repeat
     * the name it was given: that may be the secret itself, set where its file was meant.
     */
    private static Optional<Raw> fileValue(ConfigKey key, String file, String where, List<String> problems) {
        try {
            String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            return Optional.of(new Raw(text.replaceFirst("\\r?\\n\\z", ""), where));
        } catch (IOException | RuntimeException e) {
            String detail = e.getMessage() == null || e.getMessage().contains(file) ? "" : ": " + e.getMessage();
            // docker-compose 1.29 on Docker Engine mounts a directory it made for a secret file that is not there.
            String mounted = file.startsWith("/run/secrets/") ? "; a secret the container engine mounts: in the "
                    + "compose stack, check the file .env's POSTGRES_PASSWORD_FILE names (docs/DOCKER.md)" : "";
            problems.add(where + ": cannot read " + (key.holdsSecrets() ? "it" : file) + " ("
                    + e.getClass().getSimpleName() + detail + ")" + mounted);
            return Optional.empty();
        }
    }

    /** An {@code ORDERS_*} variable that matches no key is most likely a typo, so it is refused. */
    private static List<String> unknownEnvironmentOverrides(Map<String, String> env) {
        Set<String> known = ConfigSchema.KEYS.stream().flatMap(k -> Stream.of(k.envName(), k.fileEnvName()))
                .collect(Collectors.toSet());
        return env.keySet().stream()
                .filter(name -> name.startsWith(ConfigKey.ENV_PREFIX) && !known.contains(name))
                .sorted()
                .map(name -> unknownKey(name, known).replaceFirst("^unknown key", "unknown environment override"))
                .toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Object map) {
        return (Map<String, String>) map;
    }

    private static Optional<String> checkJdbcUrlAgrees(Map<String, Object> v) {
        JdbcUrl url = JdbcUrl.parse((String) v.get("postgres.jdbc_url")).orElseThrow();
        String host = (String) v.get("postgres.host");
        int port = (Integer) v.get("postgres.port");
        String db = (String) v.get("postgres.db");
        if (url.sameHost(host) && url.port() == port && url.db().equals(db)) {
            return Optional.empty();
        }
        return Optional.of("postgres.jdbc_url: names " + url.host() + ":" + url.port() + "/" + url.db()
                + " but postgres.host/port/db say " + host + ":" + port + "/" + db
                + "; make them agree (override both from the environment if needed)");
    }

    /**
     * The certificate and key files the clients will open (a truststore, PostgreSQL's CA): one
     * that is not there would only show later, as a Kafka client retrying for ever or a refused
     * TLS handshake, so it is a problem of the config now.
     */
    private static List<String> missingNamedFiles(Map<String, Object> v) {
        Map<String, String> named = new TreeMap<>();
        Map<String, String> kafka = castMap(v.get("kafka.properties"));
        if (kafka.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT).contains("SSL")) {
            kafka.forEach((name, file) -> {
                if (name.endsWith(".location")) {
                    named.put("kafka.properties." + name, file);
                }
            });
        }
        Map<String, String> url = JdbcUrl.parameters((String) v.get("postgres.jdbc_url"));
        if (!"disable".equals(url.get("sslmode"))) {
            url.forEach((name, file) -> {
                if (List.of("sslrootcert", "sslcert", "sslkey").contains(name)) {
                    named.put("postgres.jdbc_url's " + name, file);
                }
            });
        }
        List<String> problems = new ArrayList<>();
        named.forEach((where, file) -> {
            if (!readableFile(file)) {
                problems.add(where + ": no readable file " + file + " (a relative path is from the folder the "
                        + "job starts in; on a cluster, every node that runs a job needs it: docs/SECURITY.md)");
            }
        });
        return problems;
    }

    private static boolean readableFile(String file) {
        try {
            Path path = Path.of(file);
            return Files.isReadable(path) && !Files.isDirectory(path);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Both jobs run on one host (the local stack): on one port, the second to start could not serve. */
    private static Optional<String> checkMetricsPortsDiffer(Map<String, Object> v) {
        int producer = (Integer) v.get("metrics.producer_port");
        if (producer != 0 && producer == (Integer) v.get("metrics.consumer_port")) {
            return Optional.of("metrics.consumer_port: " + producer + " is metrics.producer_port too; give each job "
                    + "its own port (or 0 to turn one off)");
        }
        return Optional.empty();
    }

    private static String unknownKey(String name, Set<String> known) {
        String closest = null;
        int best = 3;
        for (String candidate : known) {
            int d = EditDistance.between(name, candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        return "unknown key " + name + (closest == null ? "" : " (did you mean " + closest + "?)");
    }
}

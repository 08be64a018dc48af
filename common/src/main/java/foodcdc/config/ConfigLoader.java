package foodcdc.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Loads {@code orders_stream.yml} into a {@link PipelineConfig}, validated once.
 *
 * <p>Every value can be overridden from the environment: the key's dotted path, upper-cased,
 * dots turned into underscores, prefixed with {@code ORDERS_} (e.g. {@code postgres.password}
 * is {@code ORDERS_POSTGRES_PASSWORD}). All problems are collected and reported together, each
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
            document = new Yaml(new SafeConstructor(options)).load(yamlText);
        } catch (YAMLException e) {
            throw new ConfigException(List.of("config file " + source + " is not valid YAML: "
                    + e.getMessage().replace('\n', ' ')));
        }
        List<String> problems = new ArrayList<>();
        Map<String, Object> raw = flatten(document, source, problems);
        Map<String, Object> values = typedValues(raw, env, problems);
        problems.addAll(unknownEnvironmentOverrides(env));
        if (problems.isEmpty()) {
            checkJdbcUrlAgrees(values).ifPresent(problems::add);
            checkMetricsPortsDiffer(values).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return ConfigRecords.build(values);
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
        Set<String> known = ConfigSchema.KEYS.stream().map(ConfigKey::path).collect(Collectors.toSet());
        flat.keySet().stream().filter(k -> !known.contains(k)).sorted()
                .forEach(k -> problems.add(unknownKey(k, known)));
        return flat;
    }

    private static Map<String, Object> typedValues(Map<String, Object> yaml, Map<String, String> env,
                                                   List<String> problems) {
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey key : ConfigSchema.KEYS) {
            String where = key.path();
            Object raw;
            if (env.containsKey(key.envName())) {
                raw = env.get(key.envName());
                where += " (from " + key.envName() + ")";
            } else if (yaml.containsKey(key.path())) {
                raw = yaml.get(key.path());
            } else if (key.defaultValue().isPresent()) {
                raw = key.defaultValue().get();
            } else {
                problems.add(key.path() + ": missing (" + key.doc() + ")");
                continue;
            }
            ConfigKey.Conversion converted = key.convert(raw);
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

    /** An {@code ORDERS_*} variable that matches no key is most likely a typo, so it is refused. */
    private static List<String> unknownEnvironmentOverrides(Map<String, String> env) {
        Set<String> known = ConfigSchema.KEYS.stream().map(ConfigKey::envName).collect(Collectors.toSet());
        return env.keySet().stream()
                .filter(name -> name.startsWith(ConfigKey.ENV_PREFIX) && !known.contains(name))
                .sorted()
                .map(name -> unknownKey(name, known).replaceFirst("^unknown key", "unknown environment override"))
                .toList();
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
            int d = editDistance(name, candidate);
            if (d < best) {
                best = d;
                closest = candidate;
            }
        }
        return "unknown key " + name + (closest == null ? "" : " (did you mean " + closest + "?)");
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}

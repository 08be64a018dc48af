package foodcdc.kafka;

import foodcdc.text.EditDistance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * The user's Kafka client properties ({@code kafka.properties}: TLS, SASL, a truststore), handed
 * the same way to every Kafka client the project runs: each client takes the ones it knows, and
 * the pipeline's own settings go on top. Checked at start against Kafka's own definitions (name,
 * type, allowed values); the ones the pipeline sets itself are refused, saying why. A value of
 * Kafka's password type ({@code sasl.jaas.config}, {@code ssl.*.password}, a PEM key) is never
 * shown: {@link #redacted}.
 */
public final class KafkaClientProperties {
    /** What the pipeline sets itself, and why a user's value would break it. */
    private static final Map<String, String> OWNED = owned();

    private static final List<ConfigDef> DEFINITIONS = List.of(ProducerConfig.configDef(), ConsumerConfig.configDef(),
            AdminClientConfig.configDef());

    static final String REDACTED = "*****";

    private KafkaClientProperties() {
    }

    private static Map<String, String> owned() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootstrap.servers", "set kafka.brokers instead");
        m.put("acks", "the producer writes with acks=all, so that an acknowledged event is on every in-sync replica");
        m.put("enable.idempotence", "the producer is idempotent, so that its retries write no event twice");
        m.put("transactional.id", "Spark's Kafka sink hangs with it (and the lake de-duplicates without it)");
        m.put("group.id", "the consumer keeps its offsets in its checkpoint, in no consumer group");
        m.put("group.instance.id", "the consumer keeps its offsets in its checkpoint, in no consumer group");
        m.put("enable.auto.commit", "the consumer's offsets are its checkpoint's");
        m.put("auto.offset.reset", "the consumer starts from the earliest offset and refuses a topic that lost records");
        for (String s : List.of("key.serializer", "value.serializer", "key.deserializer", "value.deserializer")) {
            m.put(s, "the pipeline encodes and decodes its events itself");
        }
        // Kafka refuses an idempotent producer with these out of range, and every batch would then wait for ever.
        m.put("retries", "the idempotent producer needs its retries (the outage handling bounds them by time)");
        m.put("max.in.flight.requests.per.connection", "the idempotent producer keeps order with at most 5");
        m.put("interceptor.classes", "an interceptor could change or drop events the pipeline has counted");
        for (String t : List.of("max.block.ms", "delivery.timeout.ms", "request.timeout.ms", "default.api.timeout.ms")) {
            m.put(t, "the jobs' outage handling relies on its value (they say within seconds that the broker is away)");
        }
        return Map.copyOf(m);
    }

    /** One problem per property that is unknown to Kafka's clients, of the wrong type or value, or the pipeline's own. */
    public static List<String> problems(Map<String, String> properties) {
        List<String> problems = new ArrayList<>();
        for (var e : new TreeMap<>(properties).entrySet()) {
            String name = e.getKey();
            String where = "kafka.properties." + name + ": ";
            if (OWNED.containsKey(name)) {
                problems.add(where + "set by the pipeline (" + OWNED.get(name) + "); remove it");
                continue;
            }
            Optional<ConfigDef.ConfigKey> key = definition(name);
            if (key.isEmpty()) {
                problems.add(where + "not a Kafka client property" + suggestion(name));
                continue;
            }
            invalid(key.get(), e.getValue()).ifPresent(p -> problems.add(where + p));
        }
        return problems;
    }

    /** A plain producer's, consumer's or admin client's settings: the user's it knows ({@code definition}), then {@code own}. */
    public static Properties client(Map<String, String> properties, ConfigDef definition, Map<String, ?> own) {
        Properties p = new Properties();
        properties.forEach((name, value) -> {
            if (definition.names().contains(name)) {
                p.put(name, value);
            }
        });
        p.putAll(own);
        return p;
    }

    public static Properties producer(Map<String, String> properties, Map<String, ?> own) {
        return client(properties, ProducerConfig.configDef(), own);
    }

    public static Properties consumer(Map<String, String> properties, Map<String, ?> own) {
        return client(properties, ConsumerConfig.configDef(), own);
    }

    public static Properties admin(Map<String, String> properties, Map<String, ?> own) {
        return client(properties, AdminClientConfig.configDef(), own);
    }

    /**
     * The options for Spark's Kafka source ({@code sink} false: its consumers and admin client) or
     * sink (its producer): each property Kafka's client knows, prefixed {@code kafka.}.
     */
    public static Map<String, String> sparkOptions(Map<String, String> properties, boolean sink) {
        Set<String> known = new TreeSet<>();
        if (sink) {
            known.addAll(ProducerConfig.configNames());
        } else {
            known.addAll(ConsumerConfig.configNames());
            known.addAll(AdminClientConfig.configNames());
        }
        Map<String, String> options = new HashMap<>();
        properties.forEach((name, value) -> {
            if (known.contains(name)) {
                options.put("kafka." + name, value);
            }
        });
        return options;
    }

    /** The properties as they may be shown: every value of Kafka's password type replaced by {@value #REDACTED}. */
    public static Map<String, String> redacted(Map<String, String> properties) {
        Map<String, String> out = new TreeMap<>();
        properties.forEach((name, value) -> out.put(name, secret(name) ? REDACTED : value));
        return out;
    }

    /** Whether Kafka keeps this property's value as a password (or the name says it is one). */
    public static boolean secret(String name) {
        return name.endsWith(".password") || name.contains("secret")
                || definition(name).map(k -> k.type == ConfigDef.Type.PASSWORD).orElse(false);
    }

    private static Optional<ConfigDef.ConfigKey> definition(String name) {
        return DEFINITIONS.stream().map(d -> d.configKeys().get(name)).filter(k -> k != null).findFirst();
    }

    /** Kafka's own parse and check of the value, as the client would do it on start. */
    private static Optional<String> invalid(ConfigDef.ConfigKey key, String value) {
        try {
            Object parsed = ConfigDef.parseType(key.name, value, key.type);
            if (key.validator != null) {
                key.validator.ensureValid(key.name, parsed);
            }
            return Optional.empty();
        } catch (ConfigException e) {
            String shown = key.type == ConfigDef.Type.PASSWORD ? "(value hidden)" : "'" + value + "'";
            return Optional.of("Kafka refuses " + shown + ": expected " + expected(key));
        }
    }

    private static String expected(ConfigDef.ConfigKey key) {
        String type = key.type.name().toLowerCase(java.util.Locale.ROOT);
        return key.validator == null ? "a " + type : "a " + type + " in " + key.validator;
    }

    private static String suggestion(String name) {
        String closest = null;
        int best = 4;
        for (ConfigDef d : DEFINITIONS) {
            for (String candidate : d.names()) {
                int distance = EditDistance.between(name, candidate);
                if (distance < best && !OWNED.containsKey(candidate)) {
                    best = distance;
                    closest = candidate;
                }
            }
        }
        return closest == null ? "" : " (did you mean " + closest + "?)";
    }
}

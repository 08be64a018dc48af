package foodcdc.config;

import foodcdc.kafka.KafkaClientProperties;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole pipeline config, immutable and already validated: build it with
 * {@link ConfigLoader}, change a copy with the {@code with…} methods. Each record is a section
 * of the YAML and each component a key ({@code batchInterval} is {@code streaming.batch_interval}),
 * which is how {@link ConfigRecords} builds, lists and writes them from {@link ConfigSchema}.
 * {@code toString} never shows the password.
 */
public record PipelineConfig(Postgres postgres, Kafka kafka, Datalake datalake, Streaming streaming,
                             Metrics metrics) {

    static final String REDACTED = "*****";

    /**
     * The source database. The jobs connect with {@code jdbcUrl}; the local stack starts its
     * server on {@code host:port} and creates {@code db}, so the loader checks they agree.
     */
    public record Postgres(String jdbcUrl, String host, int port, String db, String user, String password,
                           String table) {
        @Override
        public String toString() {
            return "Postgres[jdbcUrl=" + JdbcUrl.redacted(jdbcUrl) + ", host=" + host + ", port=" + port + ", db=" + db
                    + ", user=" + user + ", password=" + REDACTED + ", table=" + table + "]";
        }

        /**
         * Another server (or a relay in front of it): the URL and host, port and db change
         * together; the URL's parameters ({@code ?sslmode=…}) stay.
         */
        public Postgres withServer(String newHost, int newPort, String newDb) {
            String parameters = jdbcUrl.contains("?") ? jdbcUrl.substring(jdbcUrl.indexOf('?')) : "";
            String url = "jdbc:postgresql://" + newHost + ":" + newPort + "/" + newDb + parameters;
            return new Postgres(url, newHost, newPort, newDb, user, password, table);
        }

        public Postgres withLogin(String newUser, String newPassword) {
            return new Postgres(jdbcUrl, host, port, db, newUser, newPassword, table);
        }

        public Postgres withTable(String newTable) {
            return new Postgres(jdbcUrl, host, port, db, user, password, newTable);
        }
    }

    /**
     * The broker list and topic; {@code topicPartitions} is used when the stack creates the topic;
     * {@code properties} go to every Kafka client ({@link KafkaClientProperties}), shown redacted.
     */
    public record Kafka(String brokers, String topic, int topicPartitions, Map<String, String> properties) {
        public Kafka {
            properties = Map.copyOf(properties);
        }

        @Override
        public String toString() {
            return "Kafka[brokers=" + brokers + ", topic=" + topic + ", topicPartitions=" + topicPartitions
                    + ", properties=" + KafkaClientProperties.redacted(properties) + "]";
        }

        /** The first broker's host and port, where the local stack runs its broker. */
        public String firstBrokerHost() {
            String first = brokers.split(",")[0].trim();
            return first.substring(0, first.lastIndexOf(':'));
        }

        public int firstBrokerPort() {
            String first = brokers.split(",")[0].trim();
            return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
        }

        public Kafka withBrokers(String newBrokers) {
            return new Kafka(newBrokers, topic, topicPartitions, properties);
        }

        public Kafka withTopic(String newTopic) {
            return new Kafka(brokers, newTopic, topicPartitions, properties);
        }

        /** The same brokers with these client properties (a secured listener). */
        public Kafka withProperties(Map<String, String> newProperties) {
            return new Kafka(brokers, topic, topicPartitions, newProperties);
        }
    }

    public record Datalake(String path, String format) {
        public Datalake withPath(String newPath) {
            return new Datalake(newPath, format);
        }
    }

    /** {@code batchInterval} in seconds. */
    public record Streaming(String checkpointLocation, String lastProcessedTimestampLocation,
                            int batchInterval, int maxRowsPerPoll, int triggerIntervalMs,
                            int maxOffsetsPerTrigger, String capture) {
        /** {@code streaming.capture}'s value for change capture mode. */
        public static final String CHANGES = "changes";

        /** Whether the pipeline captures every change (not only inserts). */
        public boolean capturesChanges() {
            return CHANGES.equals(capture);
        }

        /**
         * The one message for a job that finds state kept in the other capture mode
         * ({@code state}: what it found): a pipeline does not switch modes, since the other
         * mode's keys and offsets mean nothing in this one.
         */
        public String otherModeRefusal(String state) {
            String other = capturesChanges() ? "inserts" : CHANGES;
            return "streaming.capture is " + capture + ", but " + state + ": an existing pipeline does not switch "
                    + "modes. Either set streaming.capture back to " + other + ", or start this mode afresh: point "
                    + "datalake.path, streaming.last_processed_timestamp_location and streaming.checkpoint_location at "
                    + "new folders and kafka.topic at a new topic (docs/CHANGES.md)";
        }

        /** The consumer's checkpoint and the producer's watermark folder. */
        public Streaming withLocations(String checkpoint, String watermark) {
            return new Streaming(checkpoint, watermark, batchInterval, maxRowsPerPoll, triggerIntervalMs,
                    maxOffsetsPerTrigger, capture);
        }

        public Streaming withBatchInterval(int seconds) {
            return new Streaming(checkpointLocation, lastProcessedTimestampLocation, seconds, maxRowsPerPoll,
                    triggerIntervalMs, maxOffsetsPerTrigger, capture);
        }

        public Streaming withMaxRowsPerPoll(int rows) {
            return new Streaming(checkpointLocation, lastProcessedTimestampLocation, batchInterval, rows,
                    triggerIntervalMs, maxOffsetsPerTrigger, capture);
        }

        public Streaming withCapture(String newCapture) {
            return new Streaming(checkpointLocation, lastProcessedTimestampLocation, batchInterval, maxRowsPerPoll,
                    triggerIntervalMs, maxOffsetsPerTrigger, newCapture);
        }

        /** The consumer's trigger and batch cap. */
        public Streaming withTrigger(int intervalMs, int maxOffsets) {
            return new Streaming(checkpointLocation, lastProcessedTimestampLocation, batchInterval, maxRowsPerPoll,
                    intervalMs, maxOffsets, capture);
        }
    }

    /**
     * The jobs' Prometheus endpoints ({@code /metrics}), both on {@code host}; port 0 turns one
     * off. On by default, on ports a second stack on the same host must change.
     */
    public record Metrics(String host, int producerPort, int consumerPort) {
        /** Both endpoints off (a run that measures their cost, a test that needs none). */
        public static Metrics off(String host) {
            return new Metrics(host, 0, 0);
        }
    }

    public PipelineConfig withPostgres(Postgres p) {
        return new PipelineConfig(p, kafka, datalake, streaming, metrics);
    }

    public PipelineConfig withKafka(Kafka k) {
        return new PipelineConfig(postgres, k, datalake, streaming, metrics);
    }

    public PipelineConfig withDatalake(Datalake d) {
        return new PipelineConfig(postgres, kafka, d, streaming, metrics);
    }

    public PipelineConfig withStreaming(Streaming s) {
        return new PipelineConfig(postgres, kafka, datalake, s, metrics);
    }

    public PipelineConfig withMetrics(Metrics m) {
        return new PipelineConfig(postgres, kafka, datalake, streaming, m);
    }

    /** Every key with its value, in schema order, the passwords redacted (a URL's too): for start-up logs. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        for (ConfigKey key : ConfigSchema.KEYS) {
            Object value = ConfigRecords.value(this, key.path());
            out.put(key.path(), key.secret() ? REDACTED
                    : value instanceof Map<?, ?> map ? String.valueOf(KafkaClientProperties.redacted(castMap(map)))
                    : key.path().equals("postgres.jdbc_url") ? JdbcUrl.redacted((String) value)
                    : String.valueOf(value));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> castMap(Map<?, ?> map) {
        return (Map<String, String>) map;
    }
}

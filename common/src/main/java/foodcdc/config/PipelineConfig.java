package foodcdc.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole pipeline config, immutable and already validated: build it with
 * {@link ConfigLoader}. {@code toString} never shows the password.
 */
public record PipelineConfig(Postgres postgres, Kafka kafka, Datalake datalake, Streaming streaming) {

    static final String REDACTED = "*****";

    /**
     * The source database. The jobs connect with {@code jdbcUrl}; the local stack starts its
     * server on {@code host:port} and creates {@code db}, so the loader checks they agree.
     */
    public record Postgres(String jdbcUrl, String host, int port, String db, String user, String password,
                           String table) {
        @Override
        public String toString() {
            return "Postgres[jdbcUrl=" + jdbcUrl + ", host=" + host + ", port=" + port + ", db=" + db
                    + ", user=" + user + ", password=" + REDACTED + ", table=" + table + "]";
        }
    }

    /** The broker list and topic; {@code topicPartitions} is used when the stack creates the topic. */
    public record Kafka(String brokers, String topic, int topicPartitions) {
        /** The first broker's host and port, where the local stack runs its broker. */
        public String firstBrokerHost() {
            String first = brokers.split(",")[0].trim();
            return first.substring(0, first.lastIndexOf(':'));
        }

        public int firstBrokerPort() {
            String first = brokers.split(",")[0].trim();
            return Integer.parseInt(first.substring(first.lastIndexOf(':') + 1));
        }
    }

    public record Datalake(String path, String format) {
    }

    public record Streaming(String checkpointLocation, String lastProcessedTimestampLocation,
                            int batchIntervalSeconds, int maxRowsPerPoll, int triggerIntervalMs,
                            int maxOffsetsPerTrigger) {
    }

    /** Every key with its value, in schema order, the password redacted: for start-up logs. */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("postgres.jdbc_url", postgres.jdbcUrl());
        out.put("postgres.host", postgres.host());
        out.put("postgres.port", String.valueOf(postgres.port()));
        out.put("postgres.db", postgres.db());
        out.put("postgres.user", postgres.user());
        out.put("postgres.password", REDACTED);
        out.put("postgres.table", postgres.table());
        out.put("kafka.brokers", kafka.brokers());
        out.put("kafka.topic", kafka.topic());
        out.put("kafka.topic_partitions", String.valueOf(kafka.topicPartitions()));
        out.put("datalake.path", datalake.path());
        out.put("datalake.format", datalake.format());
        out.put("streaming.checkpoint_location", streaming.checkpointLocation());
        out.put("streaming.last_processed_timestamp_location", streaming.lastProcessedTimestampLocation());
        out.put("streaming.batch_interval", String.valueOf(streaming.batchIntervalSeconds()));
        out.put("streaming.max_rows_per_poll", String.valueOf(streaming.maxRowsPerPoll()));
        out.put("streaming.trigger_interval_ms", String.valueOf(streaming.triggerIntervalMs()));
        out.put("streaming.max_offsets_per_trigger", String.valueOf(streaming.maxOffsetsPerTrigger()));
        return out;
    }
}

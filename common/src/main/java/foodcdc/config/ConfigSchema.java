package foodcdc.config;

import static foodcdc.config.ConfigKey.Type.INTEGER;
import static foodcdc.config.ConfigKey.Type.MAP;
import static foodcdc.config.ConfigKey.Type.STRING;
import static foodcdc.config.ConfigKey.optional;
import static foodcdc.config.ConfigKey.required;

import java.util.List;
import java.util.Map;

/**
 * Every key the config may hold. Required keys are the ones the shipped config holds;
 * optional tuning keys have defaults (documented in README). Adding a key means one line here and
 * one component in its record of {@link PipelineConfig} ({@link ConfigRecords}).
 */
final class ConfigSchema {
    private ConfigSchema() {
    }

    // One line a key: its path, type, default (optional keys), rule and what it is for.
    static final List<ConfigKey> KEYS = List.of(
            required("postgres.jdbc_url", STRING, Rules.jdbcPostgresUrl(), "JDBC URL the jobs connect to; must name the same host, port and db as below"),
            required("postgres.host", STRING, Rules.hostName(), "host of the PostgreSQL server (the local stack listens there)"),
            required("postgres.port", INTEGER, Rules.between(1, 65535), "port of the PostgreSQL server"),
            required("postgres.db", STRING, Rules.sqlIdentifier(), "database name"),
            required("postgres.user", STRING, Rules.sqlIdentifier(), "database user"),
            required("postgres.password", STRING, Rules.nonBlank(), "database password (never logged; prefer ORDERS_POSTGRES_PASSWORD)"),
            required("postgres.table", STRING, Rules.sqlIdentifier(), "source table of orders (case-sensitive, always quoted)"),
            required("kafka.brokers", STRING, Rules.brokerList(), "comma-separated host:port list (the local stack runs its broker on the first)"),
            required("kafka.topic", STRING, Rules.kafkaTopic(), "topic of order events"),
            optional("kafka.topic_partitions", INTEGER, 3, Rules.between(1, 1000), "partitions of the topic when the stack creates it"),
            // Each property is checked against Kafka's own definitions by ConfigLoader (one problem each).
            optional("kafka.properties", MAP, Map.of(), v -> java.util.Optional.empty(), "Kafka client properties for every client (security.protocol, sasl.*, ssl.*; docs/SECURITY.md); secret values never shown"),
            required("datalake.path", STRING, Rules.folderWithSiblings(), "root of the Parquet lake (local path, hdfs://, s3a://)"),
            required("datalake.format", STRING, Rules.oneOf("parquet"), "file format of the lake"),
            required("streaming.checkpoint_location", STRING, Rules.nonBlank(), "checkpoint folder of the streaming consumer"),
            required("streaming.last_processed_timestamp_location", STRING, Rules.nonBlank(), "folder of the producer's watermark file"),
            required("streaming.batch_interval", INTEGER, Rules.between(1, 86_400), "seconds between two polls of the producer"),
            optional("streaming.max_rows_per_poll", INTEGER, 100_000, Rules.between(1, 10_000_000), "most rows the producer publishes in one poll (bounds its memory and batch time)"),
            optional("streaming.trigger_interval_ms", INTEGER, 250, Rules.between(0, 3_600_000), "milliseconds between two micro-batches of the consumer (0: as soon as the last one ended)"),
            optional("streaming.max_offsets_per_trigger", INTEGER, 100_000, Rules.between(1, 100_000_000), "most Kafka records the consumer takes into one micro-batch (bounds its memory)"),
            optional("streaming.capture", STRING, "inserts", Rules.oneOf("inserts", "changes"), "inserts: each order once, as inserted; changes: every insert, update and delete, from the change table db/changes.sql installs (docs/CHANGES.md)"),
            optional("metrics.host", STRING, "127.0.0.1", Rules.hostName(), "address both jobs serve /metrics on (0.0.0.0: every interface, as in a container)"),
            optional("metrics.producer_port", INTEGER, 9464, Rules.between(0, 65535), "port of the producer's Prometheus endpoint (0: off)"),
            optional("metrics.consumer_port", INTEGER, 9465, Rules.between(0, 65535), "port of the consumer's Prometheus endpoint (0: off)"));
}

package foodcdc.producer;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.contract.OrderEvent;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Publishes one batch: the rows between two watermarks, read by Spark over JDBC, written to
 * Kafka as order events ({@link OrderEvent}). {@link #publish} returns once Kafka acknowledged
 * every record; a failure publishes nothing the caller may count on (the batch is sent again
 * whole, which the consumer's de-duplication makes harmless).
 */
final class BatchPublisher {
    private final SparkSession spark;
    private final PipelineConfig.Postgres pg;
    private final PipelineConfig.Kafka kafka;
    private final IncrementalQuery query;
    private final ChangeQuery changeQuery;

    BatchPublisher(SparkSession spark, PipelineConfig config) {
        this.spark = spark;
        this.pg = config.postgres();
        this.kafka = config.kafka();
        this.query = new IncrementalQuery(pg.table());
        this.changeQuery = new ChangeQuery(pg.table());
    }

    /** Sends the rows after {@code after} (if any) up to and including {@code last}. */
    void publish(Optional<Watermark> after, Watermark last) {
        Dataset<Row> rows = source(query.rowsOfBatch(after, last));
        sink(OrderEvent.Spark.toKafkaRecords(rows));
    }

    /**
     * Change capture mode: sends the changes of the batch that takes the producer from
     * {@code from} (if any) to {@code to} as change events ({@link ChangeEvent}), keyed by order_id.
     */
    void publishChanges(Optional<ChangeWatermark> from, ChangeWatermark to) {
        Dataset<Row> changes = source(changeQuery.changesOfBatch(from, to));
        sink(ChangeEvent.Spark.toKafkaRecords(changes));
    }

    private Dataset<Row> source(String sql) {
        return spark.read().format("jdbc")
                .option("url", pg.jdbcUrl())
                .option("user", pg.user())
                .option("password", pg.password())
                .option("driver", "org.postgresql.Driver")
                .option("query", sql)
                // Stream rows from the server instead of buffering the whole batch (pgjdbc's default).
                .option("fetchsize", "10000")
                // TIMESTAMP without time zone stays a wall-clock value, whatever the JVM's zone.
                .option("preferTimestampNTZ", "true")
                .options(SourceDatabase.WAIT_BOUNDS)
                .option("sessionInitStatement", SourceDatabase.SESSION_SETUP)
                .load();
    }

    private void sink(Dataset<Row> records) {
        records.write().format("kafka")
                .options(KafkaClientProperties.sparkOptions(kafka.properties(), true))
                .option("kafka.bootstrap.servers", kafka.brokers())
                .option("topic", kafka.topic())
                .option("kafka.acks", "all")
                .option("kafka.enable.idempotence", "true")
                // Fail fast when the broker is away, so the poll loop says so within ~15 s and
                // retries with backoff.
                .option("kafka.max.block.ms", "10000")
                .option("kafka.delivery.timeout.ms", "15000")
                .option("kafka.request.timeout.ms", "10000")
                .save();
    }
}

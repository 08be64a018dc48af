package foodcdc.consumer;

import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.storage.WritableLocation;
import java.io.IOException;
import java.util.TimeZone;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream consumer: reads the order events from Kafka, cleans them, removes duplicates and
 * appends them to the Parquet lake, partitioned {@code date=YYYY-MM-DD} (UTC), with rejected
 * records in the quarantine. Checkpointed at {@code streaming.checkpoint_location}: a restart
 * resumes where it stopped, and a replayed micro-batch replaces its own files ({@link LakeWriter}).
 *
 * <pre>scripts/consumer_spark_submit.sh [--config FILE]</pre>
 */
public final class ConsumerJob {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerJob.class);

    private ConsumerJob() {
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = ConfigCli.loadFromArgsOrExit(args, "consumer_spark_submit.sh");
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        SparkSession spark = SparkSession.builder().appName("orders-cdc-consumer").getOrCreate();
        try {
            var hadoop = spark.sparkContext().hadoopConfiguration();
            String lake = config.datalake().path();
            WritableLocation.require("datalake.path", lake, hadoop);
            WritableLocation.require("datalake.path", lake + "_quarantine", hadoop);
            WritableLocation.require("datalake.path", lake + "_staging", hadoop);
            WritableLocation.require("streaming.checkpoint_location", config.streaming().checkpointLocation(), hadoop);
        } catch (WritableLocation.StorageProblem e) {
            LOG.error("Consumer cannot start: {}", e.getMessage());
            spark.stop();
            System.exit(WritableLocation.EXIT_CODE);
        }
        StreamingQuery query = start(spark, config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(query), "consumer-shutdown"));
        try {
            query.awaitTermination();
        } catch (StreamingQueryException e) {
            LOG.error("Consumer failed: {}", e.getMessage());
            System.exit(1);
        }
    }

    /** Starts the streaming query; the caller owns it (tests stop it in {@code finally}). */
    public static StreamingQuery start(SparkSession spark, PipelineConfig config)
            throws IOException, TimeoutException {
        // Dates and the lake's timestamps are UTC whatever the JVM's zone; timestamps are
        // written as INT64 microseconds, which every Parquet reader understands (not INT96).
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // Each micro-batch shuffles (de-duplication, the lake anti-join, one file per date).
        // Spark's default of 200 shuffle tasks, with adaptive execution off in streaming, costs
        // seconds per small batch; the cluster's parallelism is plenty unless the user says otherwise.
        if (!spark.sparkContext().getConf().contains("spark.sql.shuffle.partitions")) {
            spark.conf().set("spark.sql.shuffle.partitions", Math.max(2, spark.sparkContext().defaultParallelism()));
        }
        LakeWriter writer = new LakeWriter(spark, config.datalake().path());
        Dataset<Row> events = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", config.kafka().brokers())
                .option("subscribe", config.kafka().topic())
                // A new checkpoint starts from the first event; later runs from the checkpoint.
                .option("startingOffsets", "earliest")
                .option("maxOffsetsPerTrigger", Integer.toString(config.streaming().maxOffsetsPerTrigger()))
                .load();
        StreamingQuery query = events.writeStream()
                .queryName("orders-to-lake")
                .option("checkpointLocation", config.streaming().checkpointLocation())
                .trigger(Trigger.ProcessingTime(config.streaming().triggerIntervalMs()))
                .foreachBatch((VoidFunction2<Dataset<Row>, Long>) writer::write)
                .start();
        LOG.info("Consumer started: topic {} -> lake {} (quarantine {}_quarantine), checkpoint {}, trigger {} ms, "
                        + "at most {} records a batch", config.kafka().topic(), config.datalake().path(),
                config.datalake().path(), config.streaming().checkpointLocation(),
                config.streaming().triggerIntervalMs(), config.streaming().maxOffsetsPerTrigger());
        return query;
    }

    private static void stop(StreamingQuery query) {
        try {
            // A batch cut short is replayed on restart and replaces its own files.
            query.stop();
        } catch (TimeoutException | RuntimeException e) {
            // Spark's own shutdown hook may have stopped the context first: the query is gone too.
            LOG.debug("Stopping the query: {}", e.toString());
        }
        LOG.info("Consumer stopped; a restart resumes from the checkpoint");
    }
}

package foodcdc.consumer;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.metrics.MetricsEndpoint;
import foodcdc.retry.AccessRefused;
import foodcdc.retry.Backoff;
import foodcdc.retry.RootCause;
import foodcdc.spark.SparkSessions;
import foodcdc.storage.StateFile;
import foodcdc.storage.WritableLocation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.Uuid;
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

    private static final int MAX_FAILURES_IN_A_ROW = 5;
    /** How long the shutdown waits for a merge to finish (it takes 500 ms and a rename). */
    private static final Duration MERGE_WAIT = Duration.ofSeconds(30);

    private volatile boolean stopping;
    private StreamingQuery current;
    private final ConsumerMetrics metrics;

    private ConsumerJob(ConsumerMetrics metrics) {
        this.metrics = metrics;
    }

    public static void main(String[] args) throws Exception {
        ExitCode code = ExitCode.of(() -> run(args));
        if (code != ExitCode.OK) {
            System.exit(code.number);
        }
    }

    private static ExitCode run(String[] args) throws Exception {
        PipelineConfig config = ConfigCli.loadFromArgs(args, "consumer_spark_submit.sh");
        SparkSession spark = SparkSessions.builder("orders-cdc-consumer").getOrCreate();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Optional<String> unfit = storageProblem(config, hadoop);
        if (unfit.isEmpty()) {
            unfit = StateMode.checkConsumer(config, hadoop);
        }
        if (unfit.isPresent()) {
            LOG.error("Consumer cannot start: {}", unfit.get());
            spark.stop();
            return ExitCode.CANNOT_START;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        ConsumerMetrics metrics = new ConsumerMetrics(registry, EventShape.of(config.streaming().capturesChanges()));
        Optional<MetricsEndpoint> endpoint;
        try {
            // Once the lake is known to be this consumer's alone: a second one is refused for that.
            endpoint = MetricsEndpoint.start("metrics.consumer_port", config.metrics().host(),
                    config.metrics().consumerPort(), registry);
        } catch (IOException e) {
            LOG.error("Consumer cannot start: {}", e.getMessage());
            spark.stop();
            return ExitCode.CANNOT_START;
        }
        endpoint.ifPresent(e -> LOG.info("Consumer metrics on {}", e.url()));
        try (KafkaWatch kafka = new KafkaWatch(config.kafka()).start()) {
            return new ConsumerJob(metrics).runUntilStopped(spark, config, kafka);
        } catch (AccessRefused e) {
            LOG.error("Consumer cannot start: {}", e.getMessage());
            return ExitCode.CANNOT_START;
        } finally {
            endpoint.ifPresent(MetricsEndpoint::close);
        }
    }

    /**
     * Why the consumer cannot use its folders, if it cannot: one it cannot write (the lake, its
     * quarantine and staging folders, the checkpoint), or a lake another consumer is writing to.
     */
    private static Optional<String> storageProblem(PipelineConfig config, Configuration hadoop) throws IOException {
        String lake = lakePath(config);
        LakeLayout layout = new LakeLayout(lake);
        try {
            for (Path folder : List.of(layout.lake, layout.quarantine, layout.staging)) {
                WritableLocation.require("datalake.path", folder.toString(), hadoop);
            }
            WritableLocation.require("streaming.checkpoint_location", config.streaming().checkpointLocation(), hadoop);
        } catch (WritableLocation.StorageProblem e) {
            return Optional.of(e.getMessage());
        }
        if (!LakeLock.acquire(lake, hadoop)) {
            return Optional.of("another consumer is writing to datalake.path " + lake + " (it holds "
                    + layout.lockFile() + "); stop it first");
        }
        return Optional.empty();
    }

    /**
     * Runs the query until the JVM is asked to stop. A failed query (the broker gone for longer
     * than Spark's own retries, a task that failed) is started again from its checkpoint, once
     * Kafka answers, with backoff; {@value #MAX_FAILURES_IN_A_ROW} failures in a row that Kafka
     * does not explain end the job with {@link ExitCode#FAILED}, since retrying will not help;
     * {@link ExitCode#OK} once stopped.
     */
    private ExitCode runUntilStopped(SparkSession spark, PipelineConfig config, KafkaWatch kafka) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "consumer-shutdown"));
        Backoff backoff = new Backoff();
        StateFile topicRecord = TopicIdentity.file(lakePath(config), spark.sparkContext().hadoopConfiguration());
        try (StreamMonitor monitor = new StreamMonitor(kafka, config.kafka().topic(), metrics, this::current).start()) {
            return runUntilStopped(spark, config, kafka, backoff, topicRecord, monitor);
        }
    }

    private synchronized StreamingQuery current() {
        return current;
    }

    private ExitCode runUntilStopped(SparkSession spark, PipelineConfig config, KafkaWatch kafka, Backoff backoff,
                                     StateFile topicRecord, StreamMonitor monitor) throws Exception {
        while (true) {
            // At every start from the checkpoint: are its offsets the topic's?
            Optional<String> otherTopic = otherTopic(kafka, config.kafka().topic(), topicRecord, monitor);
            if (otherTopic.isPresent()) {
                LOG.error("Consumer cannot go on: {}", otherTopic.get());
                return ExitCode.CANNOT_START;
            }
            StreamingQuery query;
            synchronized (this) {
                if (stopping) {
                    return ExitCode.OK;
                }
                query = start(spark, config, Compactor.Steps.NONE, metrics);
                current = query;
            }
            try {
                query.awaitTermination();
                return ExitCode.OK;   // stopped by the shutdown hook
            } catch (StreamingQueryException e) {
                if (stopping || spark.sparkContext().isStopped()) {
                    return ExitCode.OK;
                }
                if (TopicIdentity.isDataLoss(e)) {
                    LOG.error("Consumer cannot go on: {}", TopicIdentity.dataLoss(config.kafka().topic(), e));
                    return ExitCode.CANNOT_START;
                }
                Optional<AccessRefused> refused = AccessRefused.byKafka(e, config.kafka().brokers());
                if (refused.isPresent()) {
                    LOG.error("Consumer cannot go on: {}", refused.get().getMessage());
                    return ExitCode.CANNOT_START;
                }
                LOG.warn("Stream failed: {}", RootCause.describe(e));
                if (query.lastProgress() != null) {
                    backoff.reset();   // it ran for a while: a new problem, not the same one again
                }
                Duration pause = backoff.next();
                if (kafka.awaitReachable()) {
                    backoff.reset();   // Kafka was away: that explains it
                } else if (backoff.failures() >= MAX_FAILURES_IN_A_ROW) {
                    LOG.error("Consumer failed {} times in a row; giving up", backoff.failures());
                    return ExitCode.FAILED;
                }
                LOG.info("Restarting the stream from its checkpoint in {} s (attempt {})", pause.toSeconds(),
                        backoff.failures() + 1);
                Thread.sleep(pause.toMillis());
            }
        }
    }

    /**
     * Why the checkpoint's offsets are not {@code topic}'s, if they are not (see
     * {@link TopicIdentity}). Waits for the topic to exist, so that its id is on record before
     * the stream reads a first event of it.
     */
    private static Optional<String> otherTopic(KafkaWatch kafka, String topic, StateFile record, StreamMonitor monitor)
            throws Exception {
        Backoff wait = new Backoff();
        try {
            return awaitTopic(kafka, topic, record, monitor, wait);
        } finally {
            monitor.waitingForTopic(false);
        }
    }

    private static Optional<String> awaitTopic(KafkaWatch kafka, String topic, StateFile record, StreamMonitor monitor,
                                               Backoff wait) throws Exception {
        while (true) {
            kafka.awaitReachable();
            try {
                Optional<String> id = kafka.topicId(topic);
                if (id.isPresent() && id.get().equals(Uuid.ZERO_UUID.toString())) {
                    LOG.warn("kafka.topic {} has no topic id (a broker older than Kafka 2.8): a topic created anew "
                            + "cannot be told from the one the checkpoint was read from", topic);
                    return Optional.empty();
                }
                if (id.isPresent()) {
                    return TopicIdentity.check(record, topic, id.get());
                }
                monitor.waitingForTopic(true);
                LOG.warn("Waiting for kafka.topic {} to be created (attempt {})", topic, wait.failures() + 1);
            } catch (ExecutionException | TimeoutException e) {
                Optional<AccessRefused> refused = AccessRefused.byKafka(e, kafka.brokers());
                if (refused.isPresent()) {
                    throw refused.get();
                }
                LOG.warn("Waiting for kafka.topic {}'s description (attempt {}): {}", topic, wait.failures() + 1,
                        RootCause.describe(e));
            }
            Thread.sleep(wait.next().toMillis());
        }
    }

    /** Starts the streaming query; the caller owns it (tests stop it in {@code finally}). */
    public static StreamingQuery start(SparkSession spark, PipelineConfig config)
            throws IOException, TimeoutException {
        return start(spark, config, Compactor.Steps.NONE);
    }

    /** {@link #start(SparkSession, PipelineConfig)} with metrics nobody serves (the tests'). */
    static StreamingQuery start(SparkSession spark, PipelineConfig config, Compactor.Steps steps)
            throws IOException, TimeoutException {
        return start(spark, config, steps, new ConsumerMetrics(new PrometheusRegistry(),
                EventShape.of(config.streaming().capturesChanges())));
    }

    static StreamingQuery start(SparkSession spark, PipelineConfig config, Compactor.Steps steps,
                                ConsumerMetrics metrics) throws IOException, TimeoutException {
        configureSession(spark);
        Path checkpoint = new Path(config.streaming().checkpointLocation());
        EventShape shape = EventShape.of(config.streaming().capturesChanges());
        String lake = lakePath(config);
        CheckpointRepair.repair(spark.sparkContext().hadoopConfiguration(), checkpoint, new LakeLayout(lake));
        LakeWriter writer = new LakeWriter(spark, lake, shape, steps, metrics);
        writer.finishInterruptedMerges();
        StreamingQuery query = sink(source(spark, config.kafka(), config.streaming()), config.streaming(), writer);
        LOG.info("Consumer started ({}): topic {} -> lake {} (quarantine {}), checkpoint {}, trigger {} ms, "
                        + "at most {} records a batch", shape == EventShape.CHANGES ? "every change, into the change history"
                        : "inserts", config.kafka().topic(), lake, new LakeLayout(lake).quarantine,
                config.streaming().checkpointLocation(),
                config.streaming().triggerIntervalMs(), config.streaming().maxOffsetsPerTrigger());
        return query;
    }

    /**
     * The lake this consumer writes: {@code datalake.path}, or in change capture mode the change
     * history beside it ({@link LakeLayout#changeHistory}).
     */
    static String lakePath(PipelineConfig config) {
        return EventShape.of(config.streaming().capturesChanges()).lakePath(config.datalake().path());
    }

    /** The settings of the lake's files, in UTC whatever session the caller hands in. */
    private static void configureSession(SparkSession spark) {
        SparkSessions.useUtc(spark);
        // Timestamps as INT64 microseconds, which every Parquet reader understands (not INT96).
        spark.conf().set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
        // Dates before 1582 are written as they are (proleptic Gregorian, as every other engine
        // reads them) instead of failing the batch for ever.
        spark.conf().set("spark.sql.parquet.datetimeRebaseModeInWrite", "CORRECTED");
        // Each micro-batch may shuffle (de-duplication, one file per date). Spark's default of
        // 200 shuffle tasks, with adaptive execution off in streaming, costs seconds per small
        // batch; the cluster's parallelism is plenty unless the user says otherwise.
        if (!spark.sparkContext().getConf().contains("spark.sql.shuffle.partitions")) {
            spark.conf().set("spark.sql.shuffle.partitions", Math.max(2, spark.sparkContext().defaultParallelism()));
        }
    }

    /** The topic's records, from the first one on a new checkpoint, in bounded micro-batches. */
    private static Dataset<Row> source(SparkSession spark, PipelineConfig.Kafka kafka, PipelineConfig.Streaming s) {
        return spark.readStream().format("kafka")
                .options(KafkaClientProperties.sparkOptions(kafka.properties(), false))
                .option("kafka.bootstrap.servers", kafka.brokers())
                .option("subscribe", kafka.topic())
                .option("startingOffsets", "earliest")
                .option("maxOffsetsPerTrigger", Integer.toString(s.maxOffsetsPerTrigger()))
                // The broker would otherwise park each fetch up to 500 ms waiting for more records.
                .option("kafka.fetch.max.wait.ms", "10")
                .load();
    }

    /** Each micro-batch into the lake by {@code writer}, checkpointed. */
    private static StreamingQuery sink(Dataset<Row> events, PipelineConfig.Streaming s, LakeWriter writer)
            throws TimeoutException {
        return events.writeStream()
                .queryName("orders-to-lake")
                .option("checkpointLocation", s.checkpointLocation())
                .trigger(Trigger.ProcessingTime(s.triggerIntervalMs()))
                .foreachBatch((VoidFunction2<Dataset<Row>, Long>) writer::write)
                .start();
    }

    private void stop() {
        StreamingQuery query;
        synchronized (this) {
            stopping = true;
            query = current;
        }
        stopAndAwaitMerge(query);
        LOG.info("Consumer stopped; a restart resumes from the checkpoint");
    }

    /**
     * Stops {@code query} (if any), then waits, at most {@link #MERGE_WAIT}, for a merge past its
     * journal to end: from its first deletion to its final rename its orders are hidden, and the
     * JVM ending in between would leave them so until the next start. The query's stop waits for
     * its thread, unless Spark's own shutdown hook stopped the context first: then only this
     * wait keeps the JVM.
     */
    static void stopAndAwaitMerge(StreamingQuery query) {
        if (query != null) {
            try {
                // A batch cut short is replayed on restart and replaces its own files.
                query.stop();
            } catch (TimeoutException | RuntimeException e) {
                // Spark's own shutdown hook may have stopped the context first: the query is gone too.
                LOG.debug("Stopping the query: {}", e.toString());
            }
        }
        try {
            if (!Compactor.awaitFinishing(MERGE_WAIT)) {
                LOG.warn("A merge still running after {} s is left to the next start, which finishes it",
                        MERGE_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

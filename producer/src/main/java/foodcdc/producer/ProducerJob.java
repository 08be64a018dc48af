package foodcdc.producer;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.lake.LakeLayout;
import foodcdc.lake.LakeSource;
import foodcdc.metrics.MetricsEndpoint;
import foodcdc.metrics.Progress;
import foodcdc.retry.AccessRefused;
import foodcdc.retry.Backoff;
import foodcdc.retry.RootCause;
import foodcdc.spark.SparkSessions;
import foodcdc.storage.ProcessLock;
import foodcdc.storage.StateFile;
import foodcdc.storage.StateFiles;
import foodcdc.storage.WritableLocation;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDC producer: every {@code streaming.batch_interval} seconds, publishes the new rows of
 * the orders table to Kafka as JSON events, then advances the watermark.
 *
 * <pre>scripts/producer_spark_submit.sh [--config FILE]</pre>
 *
 * <p>Guarantee: every committed row reaches the topic at least once. The watermark is written
 * only after Kafka acknowledged the whole batch, so a crash at any point re-publishes the last
 * batch (the consumer removes duplicates) and never skips a row. See {@link IncrementalQuery}
 * for why late commits and ties are not lost.
 */
public final class ProducerJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerJob.class);
    private static final int POLL_WATCH_SECONDS = 5;

    private final PipelineConfig config;
    private final SourceDatabase db;
    private final BatchPublisher publisher;
    private final WatermarkStore store;
    private final SourceIdentity identity;
    private final TopicEnd topicEnd;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** streaming.capture: changes. */
    private final boolean changes;
    private volatile Optional<Position> watermark;
    /** A batch Kafka acknowledged whose watermark (or lake record) could not be written yet. */
    private Optional<SourceDatabase.Batch> unrecorded = Optional.empty();
    private final LongTransactionWarning longTransaction = new LongTransactionWarning();
    private final ProducerMetrics metrics;
    private final BacklogProgress backlog = new BacklogProgress();
    /** When the running poll began (System.nanoTime), or -1 between polls. */
    private volatile long pollStarted = -1;

    /** A job whose metrics nobody serves (tests that drive polls one by one). */
    public ProducerJob(PipelineConfig config, SparkSession spark) throws IOException {
        this(config, spark, new PrometheusRegistry());
    }

    ProducerJob(PipelineConfig config, SparkSession spark, PrometheusRegistry registry) throws IOException {
        this.config = config;
        this.metrics = new ProducerMetrics(registry);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String lake = config.datalake().path();
        this.store = new WatermarkStore(config.streaming().lastProcessedTimestampLocation(), hadoop);
        this.changes = config.streaming().capturesChanges();
        this.watermark = store.load();
        refuseOtherMode(watermark, config.streaming(), store);
        watermark.ifPresent(metrics::watermark);
        // In change capture mode the change history's change_ids must stay the change table's.
        String history = LakeLayout.changeHistory(lake);
        this.identity = changes ? SourceIdentity.ofChanges(config.postgres().table(), history,
                LakeSource.file(history, hadoop)) : new SourceIdentity(config.postgres().table(), lake,
                LakeSource.file(lake, hadoop), watermark);
        this.topicEnd = new TopicEnd(config.kafka(), new StateFile(new Path(config.streaming()
                .lastProcessedTimestampLocation(), StateFiles.TOPIC_END), hadoop));
        this.db = new SourceDatabase(config.postgres(), Optional.of(identity), changes);
        this.publisher = new BatchPublisher(spark, config);
    }

    /**
     * A watermark of the other capture mode: its key means nothing in this one, and reading it
     * as this mode's would skip or repeat everything. Refused, with what to do.
     */
    private static void refuseOtherMode(Optional<Position> watermark, PipelineConfig.Streaming streaming,
                                        WatermarkStore store) throws IOException {
        if (watermark.isPresent() && watermark.get().ofChanges() != streaming.capturesChanges()) {
            throw new IOException(streaming.otherModeRefusal("the watermark " + store + " is "
                    + (streaming.capturesChanges() ? "insert" : "change capture") + " mode's " + watermark.get()));
        }
    }

    public static void main(String[] args) throws Exception {
        ExitCode code = ExitCode.of(() -> run(args));
        if (code != ExitCode.OK) {
            System.exit(code.number);
        }
    }

    private static ExitCode run(String[] args) throws Exception {
        PipelineConfig config = ConfigCli.loadFromArgs(args, "producer_spark_submit.sh");
        SparkSession spark = SparkSessions.builder("orders-cdc-producer").getOrCreate();
        ExitCode code = ExitCode.OK;
        PrometheusRegistry registry = new PrometheusRegistry();
        Optional<MetricsEndpoint> endpoint = Optional.empty();
        try {
            ProducerJob job = open(config, spark, registry);
            // Once the job is known to be the only one on its watermark: a second producer is
            // refused for that, not for the port the first one serves on.
            endpoint = MetricsEndpoint.start("metrics.producer_port", config.metrics().host(),
                    config.metrics().producerPort(), registry);
            endpoint.ifPresent(e -> LOG.info("Producer metrics on {}", e.url()));
            Runtime.getRuntime().addShutdownHook(new Thread(job::stopAndWait, "producer-shutdown"));
            job.run();
        } catch (WritableLocation.StorageProblem | IOException e) {
            LOG.error("Producer cannot start: {}", e.getMessage());
            code = ExitCode.CANNOT_START;
        } catch (SourceUnfit e) {
            e.problems().forEach(p -> LOG.error(e.running ? "Producer cannot go on: {}" : "Producer cannot start: {}", p));
            // Like an unusable storage location: an environment that must be fixed, not waited out.
            code = ExitCode.CANNOT_START;
        }
        endpoint.ifPresent(MetricsEndpoint::close);
        spark.stop();
        return code;
    }

    /**
     * The job, once its watermark folder and the lake (where it records the source) are known to
     * be writable and its watermark is read.
     */
    private static ProducerJob open(PipelineConfig config, SparkSession spark, PrometheusRegistry registry)
            throws WritableLocation.StorageProblem, IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String watermarks = config.streaming().lastProcessedTimestampLocation();
        WritableLocation.require("streaming.last_processed_timestamp_location", watermarks, hadoop);
        WritableLocation.require("datalake.path", config.streaming().capturesChanges()
                ? LakeLayout.changeHistory(config.datalake().path()) : config.datalake().path(), hadoop);
        // Two producers on one watermark would each publish every batch and overwrite each other's progress.
        Path lock = new Path(watermarks, StateFiles.PRODUCER_LOCK);
        if (!ProcessLock.acquire(lock, hadoop)) {
            throw new WritableLocation.StorageProblem("another producer is publishing with "
                    + "streaming.last_processed_timestamp_location " + watermarks + " (it holds " + lock
                    + "); stop it first", null);
        }
        return new ProducerJob(config, spark, registry);
    }

    /** Polls until {@link #stopAndWait()}; outages are waited out with backoff. */
    public void run() throws InterruptedException, SourceUnfit {
        LOG.info("Producer started ({}): table {} -> topic {}, every {} s, at most {} {} a poll, watermark {} ({})",
                changes ? "every change, from " + ChangeEvent.table(config.postgres().table()) : "inserts",
                config.postgres().table(), config.kafka().topic(), config.streaming().batchInterval(),
                config.streaming().maxRowsPerPoll(), unit(), watermark.map(Position::toString)
                        .orElse("none: publish all"), store);
        Backoff backoff = new Backoff();
        Thread watch = startPollWatch();
        try {
            checkSource(backoff);
            boolean polled = false;   // a refusal before the first poll went through is one at start
            while (stopRequested.getCount() > 0) {
                long started = System.nanoTime();
                pollStarted = started;
                Duration pause;
                try {
                    PollResult result = pollOnce();
                    polled = true;
                    metrics.polled(Duration.ofNanos(System.nanoTime() - started));
                    backoff.reset();
                    backlog.polled(result);
                    // A full batch means a backlog: go on at once instead of waiting.
                    pause = result.full() ? Duration.ZERO : remaining(started);
                } catch (SQLException e) {
                    throwIfRefused(e, polled);
                    pause = waitingForPostgres(backoff, e);
                } catch (SourceUnfit e) {
                    throw e.whileRunning();   // not waited out: going on would publish another source's orders
                } catch (InterruptedException e) {
                    throw e;
                } catch (StateNotWritten e) {
                    metrics.waitingFor("storage");
                    pause = backoff.next();
                    LOG.warn("Waiting to record the batch Kafka acknowledged (attempt {}, next in {} s): {}; nothing "
                            + "more is published until it is written", backoff.failures(), pause.toSeconds(),
                            e.getMessage());
                } catch (Exception e) {
                    if (stopRequested.getCount() == 0) {
                        break;   // Spark is shutting down with the JVM; the watermark did not move.
                    }
                    throwIfRefused(e, polled);
                    pause = backoff.next();
                    metrics.waitingFor(isPostgres(e) ? "postgresql" : "kafka");
                    LOG.warn("Waiting for {} (attempt {}, next in {} s): {}", failedService(e), backoff.failures(),
                            pause.toSeconds(), RootCause.describe(e));
                }
                pollStarted = -1;
                stopRequested.await(pause.toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pollStarted = -1;
            watch.interrupt();
            db.close();
            topicEnd.close();
            LOG.info("Producer stopped at watermark {}", watermark.map(Position::toString).orElse("none"));
            stopped.countDown();
        }
    }

    /**
     * Waits for PostgreSQL, then checks what the guarantee needs of it ({@link SourceChecks}).
     * A problem there is not waited out: retrying would not fix it, and going on could skip rows.
     */
    private void checkSource(Backoff backoff) throws InterruptedException, SourceUnfit {
        while (stopRequested.getCount() > 0) {
            try {
                List<String> problems = db.startProblems();
                if (!problems.isEmpty()) {
                    throw new SourceUnfit(problems);
                }
                db.startWarnings().forEach(LOG::warn);
                recordSource();
                return;
            } catch (SQLException e) {
                throwIfRefused(e, false);
                stopRequested.await(waitingForPostgres(backoff, e).toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * A login or TLS handshake refused by PostgreSQL or Kafka is not waited out like an outage:
     * the config (a password, a CA) must change, so the job ends saying which ({@link AccessRefused}).
     */
    private void throwIfRefused(Throwable e, boolean running) throws SourceUnfit {
        Optional<AccessRefused> refused = AccessRefused.byEither(e, config);
        if (refused.isPresent()) {
            SourceUnfit unfit = new SourceUnfit(List.of(refused.get().getMessage()));
            throw running ? unfit.whileRunning() : unfit;
        }
    }

    /** The lake's record of its source, first written here; a lake that cannot take it is no place to start. */
    private void recordSource() throws SourceUnfit {
        try {
            identity.record(Optional.empty());
        } catch (IOException e) {
            throw new SourceUnfit(List.of("datalake.path: cannot record the source in " + identity
                    + " (" + e.getMessage() + ")"));
        }
    }

    /** The source database cannot be used safely as it is; each problem says what to run. */
    public static final class SourceUnfit extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> problems;
        /** Found by a poll, not at start. */
        private final boolean running;

        SourceUnfit(List<String> problems) {
            this(problems, false);
        }

        private SourceUnfit(List<String> problems, boolean running) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
            this.running = running;
        }

        SourceUnfit whileRunning() {
            return new SourceUnfit(problems, true);
        }

        public List<String> problems() {
            return problems;
        }
    }

    private Duration waitingForPostgres(Backoff backoff, SQLException e) {
        db.close();
        metrics.waitingFor("postgresql");
        Duration pause = backoff.next();
        LOG.warn("Waiting for PostgreSQL at {}:{} (attempt {}, next in {} s): {}", config.postgres().host(),
                config.postgres().port(), backoff.failures(), pause.toSeconds(), e.getMessage());
        return pause;
    }

    /** What one poll did: how many rows it published, and whether it hit the row cap. */
    public record PollResult(long rows, boolean full) {
    }

    /**
     * One poll: find the next batch, publish it, wait for Kafka's acknowledgement, then (and
     * only then) move the watermark. Public so tests can drive polls one by one.
     */
    public PollResult pollOnce() throws SQLException, IOException, SourceUnfit, StateNotWritten, InterruptedException {
        long t0 = System.nanoTime();
        int maxRows = config.streaming().maxRowsPerPoll();
        if (unrecorded.isPresent()) {
            // Published already: publishing it again at every retry would flood the topic with copies.
            SourceDatabase.Batch batch = unrecorded.get();
            record(batch, t0, "Recorded the batch published before:");
            return new PollResult(batch.rows(), batch.rows() >= maxRows);
        }
        // Before anything is published: into a topic that lost acknowledged events, new ones would be skipped.
        Optional<String> lost = topicEnd.problem();
        if (lost.isPresent()) {
            throw new SourceUnfit(List.of(lost.get()));
        }
        SourceDatabase.Next next = changes ? db.nextChangeBatch(watermark.map(ChangeWatermark.class::cast), maxRows)
                : db.nextBatch(watermark.map(Watermark.class::cast), maxRows);
        // Said whether or not anything can be published: a transaction left open holds back every later row.
        next.heldBackBy().ifPresentOrElse(this::warnIfLong, longTransaction::none);
        metrics.looked(next);
        if (next.batch().isEmpty()) {
            return new PollResult(0, false);
        }
        SourceDatabase.Batch batch = next.batch().get();
        if (changes) {
            if (batch.rows() > 0) {   // none: the working snapshot had no more; only the watermark moves
                publisher.publishChanges(watermark.map(ChangeWatermark.class::cast), (ChangeWatermark) batch.last());
            }
        } else {
            publisher.publish(watermark.map(Watermark.class::cast), (Watermark) batch.last());
        }
        // publish() returned: every record of the batch is acknowledged. Only now move on.
        unrecorded = Optional.of(batch);
        metrics.published(batch.rows());
        record(batch, t0, "Published");
        return new PollResult(batch.rows(), batch.rows() >= maxRows);
    }

    /**
     * Writes the watermark, then the lake's record of the source (its highest order_id and last
     * order: a reset is caught), for a batch Kafka acknowledged; only then does the watermark move.
     */
    private void record(SourceDatabase.Batch batch, long t0, String what) throws StateNotWritten {
        try {
            store.save(batch.last());
        } catch (IOException e) {
            throw new StateNotWritten("streaming.last_processed_timestamp_location", store.toString(), e);
        }
        try {
            identity.record(Optional.of(batch));
        } catch (IOException e) {
            throw new StateNotWritten("datalake.path", identity.toString(), e);
        }
        try {
            topicEnd.record();
        } catch (IOException e) {
            throw new StateNotWritten("streaming.last_processed_timestamp_location", topicEnd.toString(), e);
        }
        unrecorded = Optional.empty();
        Optional<Position> old = watermark;
        watermark = Optional.of(batch.last());
        metrics.watermark(batch.last());
        LOG.info("{} {} {} in {} ms; watermark {} -> {}", what, batch.rows(), unit(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), old.map(Position::toString).orElse("none"),
                batch.last());
    }

    /**
     * A poll at work for more than {@value #POLL_WATCH_SECONDS} s (the first, which warms Spark
     * up; a large batch; Kafka slow to acknowledge) says so every {@value #POLL_WATCH_SECONDS} s,
     * so that it is not taken for a hang.
     */
    private Thread startPollWatch() {
        Thread t = new Thread(() -> {
            try {
                long said = -1;   // the poll last spoken of, and when
                long saidAt = 0;
                while (true) {
                    Thread.sleep(1000);
                    long since = pollStarted;
                    long now = System.nanoTime();
                    long seconds = since < 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(now - since);
                    boolean due = since != said || now - saidAt >= TimeUnit.SECONDS.toNanos(POLL_WATCH_SECONDS);
                    if (seconds >= POLL_WATCH_SECONDS && due) {
                        said = since;
                        saidAt = now;
                        LOG.info("A poll has been at work for {} s (at most {} {}, after watermark {})", seconds,
                                config.streaming().maxRowsPerPoll(), unit(),
                                watermark.map(Position::toString).orElse("none"));
                    }
                }
            } catch (InterruptedException e) {
                // the job stopped
            }
        }, "poll-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * While full polls follow each other (a backlog), a line every {@link #EVERY}: rows left, the
     * rate so far and the time left at it. Insert mode counts the rows after the watermark;
     * change capture mode says only what it published.
     */
    private final class BacklogProgress {
        private static final Duration EVERY = Duration.ofSeconds(10);
        private long since = -1;
        private long published;
        private long lastLine;

        void polled(PollResult result) {
            if (!result.full()) {
                if (since >= 0) {
                    LOG.info("Backlog worked off: {} {} in {} s", published + result.rows(), unit(),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since));
                }
                since = -1;
                return;
            }
            long now = System.nanoTime();
            if (since < 0) {
                since = now;
                published = 0;
                lastLine = now;
            }
            published += result.rows();
            if (now - lastLine < EVERY.toNanos()) {
                return;
            }
            lastLine = now;
            double rate = Progress.rate(published, Duration.ofNanos(now - since));
            if (changes) {
                LOG.info("Backlog: {} changes published in {} s, {} changes/s", published,
                        TimeUnit.NANOSECONDS.toSeconds(now - since), Math.round(rate));
                return;
            }
            try {
                long left = db.rowsAfter(watermark.map(Watermark.class::cast));
                LOG.info("Backlog: {} rows after the watermark, {} rows/s, {}", left, Math.round(rate),
                        Progress.timeLeft(left, rate));
            } catch (SQLException e) {
                LOG.debug("Counting the backlog: {}", e.getMessage());   // the next poll says what is wrong
            }
        }
    }

    /** What a batch is made of, for the logs. */
    private String unit() {
        return changes ? "changes" : "rows";
    }

    /**
     * A state file could not be written (a full disk, a read-only remount): not an outage of
     * Kafka or PostgreSQL, and not fixed by publishing again. Names the key and the file.
     */
    public static final class StateNotWritten extends Exception {
        private static final long serialVersionUID = 1L;

        StateNotWritten(String key, String file, IOException cause) {
            super(key + ": cannot write " + file + " (" + RootCause.describe(cause) + ")", cause);
        }
    }

    /** Names the transaction that holds the horizon back once it is open 30 s, then every minute ({@link LongTransactionWarning}). */
    private void warnIfLong(SourceDatabase.OpenTransaction t) {
        longTransaction.due(t, LocalDateTime.now(ZoneOffset.UTC)).ifPresent(LOG::warn);
    }

    public Optional<Position> watermark() {
        return watermark;
    }

    /** Asks the loop to stop after the current poll and waits for it (at most 60 s). */
    public void stopAndWait() {
        stopRequested.countDown();
        try {
            if (!stopped.await(60, TimeUnit.SECONDS)) {
                LOG.warn("Producer did not stop within 60 s; the last batch will be published again on restart");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopRequested.countDown();
        db.close();
        topicEnd.close();
    }

    private Duration remaining(long startedNanos) {
        Duration interval = Duration.ofSeconds(config.streaming().batchInterval());
        Duration spent = Duration.ofNanos(System.nanoTime() - startedNanos);
        return spent.compareTo(interval) >= 0 ? Duration.ZERO : interval.minus(spent);
    }

    /** A Spark failure names no service; its causes do. */
    private String failedService(Throwable e) {
        return isPostgres(e) ? "PostgreSQL at " + config.postgres().host() + ":" + config.postgres().port()
                : "Kafka at " + config.kafka().brokers();
    }

    private static boolean isPostgres(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }
}

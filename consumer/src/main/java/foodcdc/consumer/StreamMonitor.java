package foodcdc.consumer;

import foodcdc.metrics.Progress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at the stream every {@value #EVERY_SECONDS} s, beside it: how far behind the topic it
 * is ({@code orders_consumer_kafka_lag_records}), what it waits for, and, while a backlog is
 * worked off, a progress line (records behind, rate, time left), so that a long catch-up is
 * never silent. The lag is known once the stream has reported a first progress (a micro-batch,
 * or an idle trigger's report); until then the gauge holds NaN.
 */
final class StreamMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamMonitor.class);
    static final int EVERY_SECONDS = 5;
    /** A backlog worth a line: more than this much work left at the rate so far. */
    private static final Duration WORTH_A_LINE = Duration.ofSeconds(10);

    private final KafkaWatch kafka;
    private final String topic;
    private final ConsumerMetrics metrics;
    private final Supplier<StreamingQuery> query;
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean waitingForTopic;
    private long lastRead = -1;
    private long lastLookNanos;
    /** Since when the current trigger has been running (a micro-batch at work), or -1. */
    private long activeSince = -1;

    StreamMonitor(KafkaWatch kafka, String topic, ConsumerMetrics metrics, Supplier<StreamingQuery> query) {
        this.kafka = kafka;
        this.topic = topic;
        this.metrics = metrics;
        this.query = query;
        metrics.lag(Double.NaN);
    }

    StreamMonitor start() {
        Thread t = new Thread(() -> {
            try {
                while (!closed.await(EVERY_SECONDS, TimeUnit.SECONDS)) {
                    look();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stream-monitor");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /** While the job waits for its topic to be created. */
    void waitingForTopic(boolean waiting) {
        waitingForTopic = waiting;
        metrics.waitingFor(waiting ? "topic" : kafka.isDown() ? "kafka" : null);
    }

    private void look() {
        metrics.waitingFor(waitingForTopic ? "topic" : kafka.isDown() ? "kafka" : null);
        StreamingQuery q = query.get();
        sayIfBatchIsLong(q);
        StreamingQueryProgress progress = q == null ? null : q.lastProgress();
        if (progress == null || progress.sources().length == 0 || kafka.isDown()) {
            return;
        }
        KafkaWatch.TopicOffsets offsets;
        try {
            offsets = kafka.offsets(topic);
        } catch (Exception e) {
            return;   // the watch says when Kafka is away; the lag stays as last known
        }
        Map<Integer, Long> read = KafkaLag.readOffsets(progress.sources()[0].endOffset(), topic);
        long behind = KafkaLag.behind(offsets.ends(), offsets.starts(), read);
        metrics.lag(behind);
        long readSum = read.values().stream().mapToLong(Long::longValue).sum();
        long now = System.nanoTime();
        if (lastRead >= 0) {
            logBacklog(behind, Math.max(0, readSum - lastRead), Duration.ofNanos(now - lastLookNanos));
        }
        lastRead = readSum;
        lastLookNanos = now;
    }

    /**
     * A micro-batch at work for more than a look (a run's first, which builds the order index and
     * warms Spark up; a large one; a merge): one line a look, so that it is not taken for a hang.
     */
    private void sayIfBatchIsLong(StreamingQuery q) {
        long now = System.nanoTime();
        if (q == null || !q.isActive() || !q.status().isTriggerActive()) {
            activeSince = -1;
            return;
        }
        if (activeSince < 0) {
            activeSince = now;
        } else if (now - activeSince >= TimeUnit.SECONDS.toNanos(EVERY_SECONDS)) {
            LOG.info("A micro-batch has been at work for {} s ({}){}", TimeUnit.NANOSECONDS.toSeconds(now - activeSince),
                    q.status().message(), q.lastProgress() == null ? "; the first of a run builds the order index" : "");
        }
    }

    /** A line while more than {@link #WORTH_A_LINE} of work is left at the rate so far. */
    private void logBacklog(long behind, long readSince, Duration since) {
        double rate = Progress.rate(readSince, since);
        if (behind > 0 && readSince > 0 && behind / rate >= WORTH_A_LINE.toSeconds()) {
            LOG.info("Backlog: {} records behind in kafka.topic {}, {} records/s, {}", behind, topic,
                    Math.round(rate), Progress.timeLeft(behind, rate));
        }
    }

    @Override
    public void close() {
        closed.countDown();
    }
}

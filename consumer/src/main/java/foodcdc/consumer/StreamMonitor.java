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
    private long lastLine = -1;
    private StreamingQuery lastQuery;

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
                // A tick a second for the "at work" line (said 5 s into a long batch, then every
                // 5 s); the lag, which asks Kafka, every EVERY_SECONDS.
                for (long tick = 1; !closed.await(1, TimeUnit.SECONDS); tick++) {
                    look(tick % EVERY_SECONDS == 0);
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

    /** One look; never ends the thread (metrics and progress lines must outlive a bad look). */
    private void look(boolean lag) {
        try {
            StreamingQuery q = query.get();
            sayIfBatchIsLong(q);
            if (lag) {
                metrics.waitingFor(waitingForTopic ? "topic" : kafka.isDown() ? "kafka" : null);
                lookAtLag(q);
            }
        } catch (RuntimeException e) {
            LOG.debug("Looking at the stream: {}", e.toString());
        }
    }

    private void lookAtLag(StreamingQuery q) {
        if (q != lastQuery) {
            // A stream started anew (after a failure): the old one's offsets say nothing of it.
            lastQuery = q;
            lastRead = -1;
            metrics.lag(Double.NaN);
        }
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
            lastLine = now;
        } else if (now - lastLine >= TimeUnit.SECONDS.toNanos(EVERY_SECONDS)) {
            lastLine = now;
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

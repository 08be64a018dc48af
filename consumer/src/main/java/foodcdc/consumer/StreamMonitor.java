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
    private long lastBehind;
    private long lastLookNanos;

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
        lastBehind = behind;
        lastLookNanos = now;
    }

    /** A line while more than {@link #WORTH_A_LINE} of work is left, or nothing was read while records wait. */
    private void logBacklog(long behind, long readSince, Duration since) {
        if (behind == 0) {
            return;
        }
        double rate = Progress.rate(readSince, since);
        if (readSince == 0 && lastBehind > 0) {
            LOG.info("Backlog: {} records behind in kafka.topic {}; none read in the last {} s (a micro-batch is "
                    + "running)", behind, topic, since.toSeconds());
        } else if (readSince > 0 && behind / rate >= WORTH_A_LINE.toSeconds()) {
            LOG.info("Backlog: {} records behind in kafka.topic {}, {} records/s, {}", behind, topic,
                    Math.round(rate), Progress.timeLeft(behind, rate));
        }
    }

    @Override
    public void close() {
        closed.countDown();
    }
}

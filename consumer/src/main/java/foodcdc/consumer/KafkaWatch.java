package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.kafka.KafkaClientProperties;
import foodcdc.retry.AccessRefused;
import foodcdc.retry.Backoff;
import foodcdc.retry.RootCause;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the operator when the stream is waiting for Kafka. Spark's Kafka source rides out a
 * broker outage by itself (its offset requests retry for minutes), but says nothing useful
 * meanwhile: a stack trace per attempt at best. This watch asks the broker for its cluster
 * description every few seconds and logs one line per failed check, and one when it is back.
 */
final class KafkaWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaWatch.class);
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private final String brokers;
    private final Admin admin;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Backoff backoff = new Backoff();
    private long downSinceNanos = -1;
    private volatile boolean down;
    /** The refusal (a login, a TLS handshake) the last check met, if any; set and read under check()'s lock. */
    private AccessRefused refused;
    /** Whether the background check has said the current refusal (once, not at every check). */
    private boolean refusalSaid;

    KafkaWatch(PipelineConfig.Kafka kafka) {
        this.brokers = kafka.brokers();
        this.admin = Admin.create(KafkaClientProperties.admin(kafka.properties(), Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                AdminClientConfig.CLIENT_ID_CONFIG, "orders-cdc-consumer-watch",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CHECK_TIMEOUT.toMillis())));
    }

    String brokers() {
        return brokers;
    }

    /** Checks in a daemon thread until closed. */
    KafkaWatch start() {
        Thread t = new Thread(() -> {
            try {
                while (!closed.await(check(true).next().toMillis(), TimeUnit.MILLISECONDS)) {
                    // checked; wait for the next one
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kafka-watch");
        t.setDaemon(true);
        t.start();
        return this;
    }

    /**
     * Blocks until the broker answers (or the watch is closed), saying what it waits for;
     * true when it had to wait.
     */
    boolean awaitReachable() throws InterruptedException, AccessRefused {
        boolean waited = false;
        Check c;
        while (!(c = check(false)).reachable()) {
            if (c.refused() != null) {
                throw c.refused();   // the broker answered: waiting will not change its mind
            }
            waited = true;
            if (closed.await(c.next().toMillis(), TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        return waited;
    }

    /** {@code refused}: the broker's refusal (a login, a TLS handshake), or null. */
    private record Check(boolean reachable, Duration next, AccessRefused refused) {
    }

    /**
     * One check, logged when the broker is away or has just come back. A refusal is the caller's
     * to report, except in the {@code background}: there it is said once, when it begins (a
     * password rotated under the running job), until the stream meets it and the job stops.
     */
    private synchronized Check check(boolean background) {
        long began = System.nanoTime();
        String problem = problem();
        down = problem != null;
        if (problem == null) {
            if (downSinceNanos >= 0) {
                LOG.info("Kafka at {} is back after {} s; the stream catches up from its checkpoint", brokers,
                        secondsSince(downSinceNanos));
                downSinceNanos = -1;
            }
            backoff.reset();
            refusalSaid = false;
            return new Check(true, CHECK_EVERY, null);
        }
        if (downSinceNanos < 0) {
            downSinceNanos = began;
        }
        Duration pause = backoff.next();
        if (refused != null) {
            // The broker answered and said no: the job reports it in one line and stops; no wait to announce.
            if (background && !refusalSaid) {
                LOG.warn("{}; the stream stops with exit 3 when it meets this", refused.getMessage());
                refusalSaid = true;
            }
            return new Check(false, pause, refused);
        }
        LOG.warn("Waiting for Kafka at {} (unreachable for {} s, next check in {} s): {}", brokers,
                secondsSince(downSinceNanos), pause.toSeconds(), problem);
        return new Check(false, pause, refused);
    }

    /** Null when the broker answered, else why not. */
    private String problem() {
        try {
            refused = null;
            int nodes = admin.describeCluster().nodes().get(CHECK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).size();
            return nodes > 0 ? null : "no broker in the cluster";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            refused = AccessRefused.byKafka(e, brokers).orElse(null);
            return RootCause.describe(e);
        }
    }

    /** Whether the last check found the broker away. */
    boolean isDown() {
        return down;
    }

    /** The topic's id (a topic created anew under the same name has another); empty when there is no such topic. */
    Optional<String> topicId(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return Optional.of(admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(CHECK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).get(topic).topicId().toString());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The first and the next offset of each partition of {@code topic}: what it holds. */
    record TopicOffsets(Map<Integer, Long> starts, Map<Integer, Long> ends) {
    }

    TopicOffsets offsets(String topic) throws InterruptedException, ExecutionException, TimeoutException {
        long timeout = CHECK_TIMEOUT.toMillis() + 1000;
        List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout, TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        return new TopicOffsets(list(partitions, OffsetSpec.earliest(), timeout), list(partitions, OffsetSpec.latest(), timeout));
    }

    private Map<Integer, Long> list(List<TopicPartition> partitions, OffsetSpec spec, long timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> wanted = new HashMap<>();
        partitions.forEach(p -> wanted.put(p, spec));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> got = admin.listOffsets(wanted).all()
                .get(timeout, TimeUnit.MILLISECONDS);
        Map<Integer, Long> out = new HashMap<>();
        got.forEach((p, info) -> out.put(p.partition(), info.offset()));
        return out;
    }

    private static long secondsSince(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - nanos);
    }

    @Override
    public void close() {
        closed.countDown();
        admin.close(Duration.ofSeconds(5));
    }
}

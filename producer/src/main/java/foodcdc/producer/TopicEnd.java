package foodcdc.producer;

import foodcdc.config.PipelineConfig;
import foodcdc.kafka.KafkaClientProperties;
import foodcdc.kafka.TopicReader;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where the topic ended once Kafka acknowledged the producer's last batch, kept beside the
 * watermark ({@code topic_end.properties}: the topic's name, then a partition's end offset a line). A topic's end only
 * grows (retention and {@code kafka-delete-records} move its start), so a partition that now
 * ends before it has lost events Kafka acknowledged: a single broker's host crashed before they
 * reached its disk, an unclean leader election, or the topic was created anew. The consumer
 * sees that only while it has read past the new end; once new events fill the gap, it would
 * read on at its old offsets and skip them. So the producer looks before every poll, and stops
 * before it publishes into such a gap.
 */
final class TopicEnd implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** The key naming the topic the record is of. */
    private static final String TOPIC = "topic";
    private static final int RECHECKS = 3;
    private static final Duration RECHECK_PAUSE = Duration.ofSeconds(2);

    private final String topic;
    private final StateFile file;
    private final String brokers;
    private final Map<String, String> clientProperties;
    private KafkaConsumer<byte[], byte[]> kafka;
    /** partition → end offset, as recorded. */
    private Map<Integer, Long> recorded;

    TopicEnd(PipelineConfig.Kafka config, StateFile file) throws IOException {
        this.topic = config.topic();
        this.brokers = config.brokers();
        this.clientProperties = config.properties();
        this.file = file;
        this.recorded = read(file, topic);
    }

    /** The record, if it is this topic's (one of another name, the config changed since, says nothing). */
    private static Map<Integer, Long> read(StateFile file, String topic) throws IOException {
        Map<Integer, Long> ends = new TreeMap<>();
        Map<String, String> values = file.read().orElse(Map.of());
        if (!topic.equals(values.get(TOPIC))) {
            return ends;
        }
        try {
            values.forEach((k, v) -> {
                if (!k.equals(TOPIC)) {
                    ends.put(Integer.parseInt(k), Long.parseLong(v));
                }
            });
        } catch (NumberFormatException e) {
            throw new IOException(file + " is not a record of the topic's end (" + e.getMessage() + "); delete it: "
                    + "the producer then records it anew", e);
        }
        return ends;
    }

    /** Why the topic lost events the producer published, if it did: the first partition that ends before its record. */
    Optional<String> problem() throws InterruptedException {
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> lost = lost(ends());
        for (int again = 0; lost.isPresent() && again < RECHECKS; again++) {
            // A broker just restarted may answer with an end it has not caught up to yet: only a lasting one counts.
            Thread.sleep(RECHECK_PAUSE.toMillis());
            lost = lost(ends());
        }
        return lost;
    }

    private Optional<String> lost(Map<Integer, Long> now) {
        for (var r : recorded.entrySet()) {
            long end = now.getOrDefault(r.getKey(), 0L);
            if (end < r.getValue()) {
                return Optional.of("partition " + r.getKey() + " of kafka.topic " + topic + " ends at offset " + end
                        + ", before offset " + r.getValue() + " which the producer's acknowledged events reached (in "
                        + file + "): Kafka lost events it had acknowledged (a crash of a single broker's host, an "
                        + "unclean leader election) or the topic was created anew. Publishing on would put new orders "
                        + "at offsets the consumer already read. Stop the consumer, run scripts/replay_from_source.sh "
                        + "(it loses nothing), then start both");
            }
        }
        return Optional.empty();
    }

    /** Records where the topic ends now (after Kafka acknowledged a batch). */
    void record() throws IOException {
        Map<Integer, Long> now = ends();
        if (now.equals(recorded) || lost(now).isPresent()) {
            return;   // an end behind the record stays on record: the next poll refuses
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put(TOPIC, topic);
        now.forEach((partition, end) -> values.put(Integer.toString(partition), Long.toString(end)));
        file.write("partition=end offset of kafka.topic " + topic + " after the producer's last acknowledged batch",
                values);
        recorded = now;
    }

    private Map<Integer, Long> ends() {
        if (kafka == null) {
            // Made at first use: a broker name that does not resolve yet is waited for, not a failed start.
            kafka = new KafkaConsumer<>(KafkaClientProperties.consumer(clientProperties, Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                    ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                    ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        List<TopicPartition> partitions = TopicReader.partitions(kafka, topic, TIMEOUT);
        if (partitions.isEmpty()) {
            // Not "every partition ends at 0": a broker that just started may not know the topic yet.
            throw new KafkaException("kafka.topic " + topic + " has no partitions in the broker's answer yet");
        }
        Map<Integer, Long> ends = new TreeMap<>();
        for (Map.Entry<TopicPartition, Long> e : kafka.endOffsets(partitions, TIMEOUT).entrySet()) {
            ends.put(e.getKey().partition(), e.getValue());
        }
        return ends;
    }

    @Override
    public String toString() {
        return file.toString();
    }

    /** Closes the Kafka client (made again if used again). */
    @Override
    public synchronized void close() {
        if (kafka != null) {
            kafka.close(Duration.ofSeconds(5));
            kafka = null;
        }
    }
}

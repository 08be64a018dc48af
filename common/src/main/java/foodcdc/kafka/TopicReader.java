package foodcdc.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * Reading a whole topic with a plain Kafka consumer (no group, no committed offsets), every call
 * bounded: for the validator, the tests and the benchmark.
 */
public final class TopicReader {
    private TopicReader() {
    }

    /** Every partition of {@code topic}. */
    public static List<TopicPartition> partitions(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                                  String topic, Duration timeout) {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    /** How many records these partitions hold now, in all. */
    public static long endOffsetsSum(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer,
                                     List<TopicPartition> partitions, Duration timeout) {
        return consumer.endOffsets(partitions, timeout).values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Hands every record of {@code topic}, from the beginning to the end it has when called, to
     * {@code each}; returns how many. Fails when the broker sends nothing for {@code timeout}
     * before that end is reached.
     */
    public static <K, V> long readToEnd(org.apache.kafka.clients.consumer.Consumer<K, V> consumer, String topic,
                                        Duration timeout, Consumer<ConsumerRecord<K, V>> each) {
        List<TopicPartition> partitions = partitions(consumer, topic, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long read = 0;
        long lastProgress = System.nanoTime();
        while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
            var records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
                throw new TimeoutException("no record from the broker for " + timeout.toSeconds()
                        + " s before the end of topic " + topic + " (" + read + " read)");
            }
            for (ConsumerRecord<K, V> r : records) {
                each.accept(r);
                read++;
            }
        }
        return read;
    }
}

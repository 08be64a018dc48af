package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Sends events of the order topic again, as an independent Kafka client: what Spark's
 * at-least-once Kafka sink does when a task is retried (same key, same value, same partition,
 * later offset). The consumer must drop these copies.
 */
final class TopicEvents {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private TopicEvents() {
    }

    /** Sends again up to {@code n} events already in the topic, from a random partition and offset; returns how many. */
    static int resend(PipelineConfig c, Random random, int n) throws Exception {
        String topic = c.kafka().topic();
        List<ProducerRecord<byte[], byte[]>> copies = new ArrayList<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().brokers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(n));
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(topic, WAIT).size();
            TopicPartition tp = new TopicPartition(topic, random.nextInt(partitions));
            long begin = consumer.beginningOffsets(List.of(tp), WAIT).get(tp);
            long end = consumer.endOffsets(List.of(tp), WAIT).get(tp);
            if (end == begin) {
                return 0;
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, begin + (long) (random.nextDouble() * (end - begin)));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (copies.size() < n && consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    if (copies.size() < n) {
                        copies.add(new ProducerRecord<>(topic, r.partition(), r.key(), r.value()));
                    }
                }
            }
        }
        ConsumerIT.sendRecords(c, copies);
        return copies.size();
    }
}

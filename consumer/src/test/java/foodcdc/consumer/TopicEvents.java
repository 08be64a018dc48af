package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.Wait;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Order events written to the topic by an independent Kafka client, as the producer writes
 * them or as it should not: the consumer's tests feed it with these.
 */
final class TopicEvents {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");

    private TopicEvents() {
    }

    /** An event of the contract's shape for order {@code id}. */
    static String event(int id, String amount, String createdAt) {
        return "{\"order_id\":" + id + ",\"customer_name\":\"Customer " + id + "\",\"restaurant_name\":\"R\","
                + "\"item\":\"Item " + id + "\",\"amount\":" + amount + ",\"order_status\":\"PLACED\","
                + "\"created_at\":\"" + createdAt + "\"}";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends each value keyed as the producer keys it: by the order_id in it (none if there is none). */
    static void send(PipelineConfig c, List<byte[]> values) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (byte[] v : values) {
            Matcher m = ORDER_ID.matcher(v == null ? "" : new String(v, StandardCharsets.UTF_8));
            records.add(new ProducerRecord<>(c.kafka().topic(), m.find() ? utf8(m.group(1)) : null, v));
        }
        sendRecords(c, records);
    }

    /** Sends records as they are, each acknowledged by all replicas before the next. */
    static void sendRecords(PipelineConfig c, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().brokers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                producer.send(r).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** What retention does, at once: deletes every event the topic holds now. */
    static void deleteAllEvents(PipelineConfig c) throws Exception {
        try (Admin admin = admin(c); var consumer = new KafkaConsumer<>(readerProperties(c), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            Map<TopicPartition, RecordsToDelete> all = new HashMap<>();
            List<TopicPartition> partitions = consumer.partitionsFor(c.kafka().topic(), WAIT).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.endOffsets(partitions, WAIT).forEach((tp, end) -> all.put(tp, RecordsToDelete.beforeOffset(end)));
            admin.deleteRecords(all).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Deletes the topic and creates it again under its name, with 3 partitions: a new topic id, offsets from 0. */
    static void createAnew(PipelineConfig c) throws Exception {
        String topic = c.kafka().topic();
        try (Admin admin = admin(c)) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
            Wait.until(() -> !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic), WAIT,
                    "topic " + topic + " deleted");
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(PipelineConfig c) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().brokers()));
    }

    private static Properties readerProperties(PipelineConfig c) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafka().brokers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /**
     * Sends again up to {@code n} events already in the topic, from a random partition and
     * offset, as Spark's at-least-once Kafka sink does when a task is retried (same key, same
     * value, same partition, later offset); returns how many. The consumer must drop these copies.
     */
    static int resend(PipelineConfig c, Random random, int n) throws Exception {
        String topic = c.kafka().topic();
        List<ProducerRecord<byte[], byte[]>> copies = new ArrayList<>();
        Properties p = readerProperties(c);
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
            try {
                Wait.every(Duration.ZERO).look(() -> {
                    for (var r : consumer.poll(Duration.ofMillis(500))) {
                        if (copies.size() < n) {
                            copies.add(new ProducerRecord<>(topic, r.partition(), r.key(), r.value()));
                        }
                    }
                    return copies.size() >= n || consumer.position(tp) >= end;
                }, WAIT, n + " events of partition " + tp + " to send again");
            } catch (Wait.TimedOut slow) {
                // A broker slow after a restart: fewer copies are sent, which is still a resend.
            }
        }
        sendRecords(c, copies);
        return copies.size();
    }
}

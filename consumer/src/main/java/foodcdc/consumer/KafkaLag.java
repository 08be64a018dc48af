package foodcdc.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * How many records of the topic the consumer has not read: the topic's end offsets minus the
 * offsets its stream has read up to (the last micro-batch's end, as Spark's progress reports
 * it). A partition the stream has not read yet counts from its start. Pure functions.
 */
final class KafkaLag {
    private static final ObjectMapper JSON = new ObjectMapper();

    private KafkaLag() {
    }

    /** Records behind: the sum over the topic's partitions of end minus read (or minus start, unread), never negative. */
    static long behind(Map<Integer, Long> ends, Map<Integer, Long> starts, Map<Integer, Long> read) {
        long behind = 0;
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            long from = read.getOrDefault(e.getKey(), starts.getOrDefault(e.getKey(), 0L));
            behind += Math.max(0, e.getValue() - from);
        }
        return behind;
    }

    /**
     * The offsets of {@code topic} in a Kafka source's offset JSON as Spark's progress gives it,
     * {@code {"topic":{"0":123,"1":45}}}; empty when it names no such topic.
     */
    static Map<Integer, Long> readOffsets(String json, String topic) {
        Map<Integer, Long> read = new HashMap<>();
        if (json == null) {
            return read;
        }
        try {
            JsonNode partitions = JSON.readTree(json).path(topic);
            for (Iterator<Map.Entry<String, JsonNode>> it = partitions.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                read.put(Integer.parseInt(p.getKey()), p.getValue().asLong());
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return Map.of();
        }
        return read;
    }
}

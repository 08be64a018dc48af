package foodcdc.consumer;

import foodcdc.storage.StateFile;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The Kafka topic the consumer's checkpoint was read from, by its id, recorded in the lake
 * ({@value #FILE} in {@code datalake.path}). A topic deleted and created again under the same
 * name (to change its settings, a wiped broker folder) has a new id and starts its offsets
 * anew: Spark's Kafka source would go on at the checkpoint's old offsets and skip the new
 * topic's first events without a word. And events Kafka lost or deleted before the consumer
 * read them (retention, a broker's crash) cannot be read again from Kafka at all. Both are
 * refused with the one remedy that loses nothing: a replay from the source.
 */
final class TopicIdentity {
    static final String FILE = "_topic.properties";
    static final String REPLAY = "With both jobs stopped, run: scripts/replay_from_source.sh (the producer "
            + "publishes the whole table again, the consumer starts a new run; the lake keeps its orders and drops "
            + "the copies)";

    /** How Spark's Kafka source says offsets it was to read are gone (failOnDataLoss). */
    private static final Pattern DATA_LOSS = Pattern.compile("data may have been (lost|missed)", Pattern.CASE_INSENSITIVE);

    private TopicIdentity() {
    }

    static StateFile file(String lakePath, Configuration conf) throws IOException {
        return new StateFile(new Path(lakePath, FILE), conf);
    }

    /**
     * Why the consumer must not read {@code topic} (whose id is now {@code id}) on from its
     * checkpoint, if it must not; records the id when none is recorded yet.
     */
    static Optional<String> check(StateFile file, String topic, String id) throws IOException {
        Optional<Map<String, String>> recorded = file.read();
        // No id (the replay's record, naming the topic a new run reads): this topic's id is the one from now on.
        if (recorded.isEmpty() || recorded.get().get("topic_id") == null && topic.equals(recorded.get().get("topic"))) {
            write(file, topic, Optional.of(id));
            return Optional.empty();
        }
        String recordedId = recorded.get().get("topic_id");
        String was = recorded.get().get("topic") + (recordedId == null ? " (named by replay_from_source.sh)"
                : " (topic id " + recordedId + ")");
        if (topic.equals(recorded.get().get("topic")) && id.equals(recorded.get().get("topic_id"))) {
            return Optional.empty();
        }
        if (!topic.equals(recorded.get().get("topic"))) {
            return Optional.of("kafka.topic is " + topic + " now, but the checkpoint was read from " + was + ": its "
                    + "offsets are not " + topic + "'s. " + REPLAY);
        }
        return Optional.of("kafka.topic " + topic + " (topic id " + id + ") is not the topic the checkpoint was read "
                + "from, " + was + ": it was created anew, so reading on at the checkpoint's offsets would skip its "
                + "first events, and events not read from the old one are gone. " + REPLAY);
    }

    /**
     * Records {@code topic} as the one the consumer's checkpoint reads, with its id, or without
     * one (the replay: a new run of the consumer records the id it finds). The lake's record of
     * its topic also tells which capture mode has read that topic ({@link StateMode}).
     */
    static void write(StateFile file, String topic, Optional<String> id) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("topic", topic);
        id.ifPresent(i -> v.put("topic_id", i));
        file.write("The Kafka topic the consumer's checkpoint reads (written by the consumer; "
                + "scripts/replay_from_source.sh leaves out its id, for a new run to record)", v);
    }

    /** Whether a failure of the stream is Spark's Kafka source finding offsets it was to read gone. */
    static boolean isDataLoss(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && DATA_LOSS.matcher(t.getMessage()).find()) {
                return true;
            }
        }
        return false;
    }

    /** The line a data loss ends the consumer with. */
    static String dataLoss(String topic, Throwable failure) {
        return "events of kafka.topic " + topic + " are gone (deleted by retention or by hand before the consumer "
                + "read them, or lost by a broker's crash after it acknowledged them: the topic then ends before what "
                + "the consumer read) and cannot be read again from Kafka: " + whatWasLost(failure) + ". "
                + REPLAY;
    }

    /**
     * What Spark says was lost (its innermost saying), without its advice: failOnDataLoss=false
     * would lose the events silently.
     */
    private static String whatWasLost(Throwable failure) {
        String lost = String.valueOf(failure.getMessage());
        for (Throwable t = failure; t != null; t = t.getCause()) {
            var m = t.getMessage() == null ? null : DATA_LOSS.matcher(t.getMessage());
            if (m != null && m.find()) {
                lost = t.getMessage().substring(0, m.start()).replaceFirst("(?i)[\\s.,]*some\\s*$", "").trim();
            }
        }
        return lost;
    }
}

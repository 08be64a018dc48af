package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.storage.StateFile;
import foodcdc.storage.StateFiles;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The capture mode ({@code streaming.capture}) the jobs' state belongs to. The two modes write
 * two lakes but share the checkpoint, watermark and topic keys: a consumer switched to the
 * other mode would read on at offsets into the other mode's stream, into a lake that has none
 * of what came before them; a replay in the other mode would turn this pipeline's state into a
 * new one of that mode on this one's topic. Refused (exit 3), with the producer's remedy for its
 * watermark ({@link PipelineConfig.Streaming#otherModeRefusal}).
 *
 * <p>The checkpoint's mode is recorded in it ({@value #FILE}) once it has read events; a
 * checkpoint deleted (a reset) takes its record with it. Without a record (a new checkpoint,
 * or one from before the record existed) the lakes tell: the lake whose topic record
 * ({@link TopicIdentity}; the replay keeps it, naming the topic) names {@code kafka.topic} is
 * the mode that has read that topic. A checkpoint that has read events and that no lake
 * explains is insert mode's, the only mode before topic records.
 */
final class StateMode {
    static final String FILE = "_capture.properties";
    private static final String KEY = "capture";
    private static final String INSERTS = "inserts";

    private StateMode() {
    }

    /**
     * Why a consumer of {@code config} must not read on from its checkpoint, if it must not;
     * records the mode in a checkpoint that has read events and has no record yet.
     */
    static Optional<String> checkConsumer(PipelineConfig config, Configuration hadoop) throws IOException {
        PipelineConfig.Streaming streaming = config.streaming();
        StateFile file = checkpointFile(streaming, hadoop);
        Optional<String> recorded = file.read().map(v -> v.get(KEY));
        Optional<String> problem = checkpointProblem(config, recorded, hadoop);
        if (problem.isEmpty() && !recorded.equals(Optional.of(streaming.capture()))) {
            // Written before the first batch: a crash after it leaves a record of the mode the checkpoint is now.
            file.write("The capture mode whose events this checkpoint reads (written by the consumer)",
                    Map.of(KEY, streaming.capture()));
        }
        return problem;
    }

    /** Why {@code replay_from_source.sh} with {@code config} must not reset the jobs' state, if it must not. */
    static Optional<String> checkReplay(PipelineConfig config, Configuration hadoop) throws IOException {
        PipelineConfig.Streaming streaming = config.streaming();
        Optional<String> watermark = watermarkMode(streaming, hadoop);
        if (watermark.isPresent() && !watermark.get().equals(streaming.capture())) {
            return Optional.of(streaming.otherModeRefusal("the watermark " + watermarkFile(streaming) + " is "
                    + modeName(watermark.get()) + " mode's"));
        }
        return checkpointProblem(config, checkpointFile(streaming, hadoop).read().map(v -> v.get(KEY)), hadoop);
    }

    /** {@link #checkpointProblem(PipelineConfig.Streaming, Optional, boolean, Set)} of the checkpoint and lakes there are. */
    private static Optional<String> checkpointProblem(PipelineConfig config, Optional<String> recorded,
                                                      Configuration hadoop) throws IOException {
        boolean hasOffsets = hasOffsets(new Path(config.streaming().checkpointLocation()), hadoop);
        return checkpointProblem(config.streaming(), hasOffsets ? recorded : Optional.empty(), hasOffsets,
                topicReaders(config, hadoop));
    }

    /**
     * The pure rule. The checkpoint's mode is the one on record ({@code recorded}, only of a
     * checkpoint that has read events); else the one mode whose lake has read {@code kafka.topic}
     * ({@code topicReaders}); else, for a checkpoint that has read events, insert mode. It must
     * be {@code streaming}'s.
     */
    static Optional<String> checkpointProblem(PipelineConfig.Streaming streaming, Optional<String> recorded,
                                              boolean hasOffsets, Set<String> topicReaders) {
        Optional<String> mode = recorded.isPresent() ? recorded
                : topicReaders.size() == 1 ? Optional.of(topicReaders.iterator().next())
                : hasOffsets && topicReaders.isEmpty() ? Optional.of(INSERTS) : Optional.empty();
        if (mode.isEmpty() || mode.get().equals(streaming.capture())) {
            return Optional.empty();
        }
        return Optional.of(streaming.otherModeRefusal(hasOffsets
                ? "the checkpoint " + streaming.checkpointLocation() + " has read " + modeName(mode.get()) + " mode's events"
                : "kafka.topic was read in " + modeName(mode.get()) + " mode (the lake's topic record says so)"));
    }

    private static String modeName(String capture) {
        return INSERTS.equals(capture) ? "insert" : "change capture";
    }

    /** The modes whose lake's topic record names {@code kafka.topic}. */
    private static Set<String> topicReaders(PipelineConfig config, Configuration hadoop) throws IOException {
        Set<String> modes = new TreeSet<>();
        for (EventShape shape : EventShape.values()) {
            Optional<Map<String, String>> topic = TopicIdentity.file(shape.lakePath(config.datalake().path()), hadoop).read();
            if (topic.isPresent() && config.kafka().topic().equals(topic.get().get("topic"))) {
                modes.add(shape.capture());
            }
        }
        return modes;
    }

    /**
     * The mode of the producer's watermark, if it says: a change watermark has
     * {@code capture=changes}, an insert one {@code order_id}; one that has neither (damaged) is
     * the producer's to refuse.
     */
    private static Optional<String> watermarkMode(PipelineConfig.Streaming streaming, Configuration hadoop)
            throws IOException {
        return new StateFile(watermarkFile(streaming), hadoop).read().flatMap(v -> PipelineConfig.Streaming.CHANGES
                .equals(v.get(KEY)) ? Optional.of(PipelineConfig.Streaming.CHANGES)
                : v.containsKey("order_id") ? Optional.of(INSERTS) : Optional.empty());
    }

    private static Path watermarkFile(PipelineConfig.Streaming streaming) {
        return new Path(streaming.lastProcessedTimestampLocation(), StateFiles.WATERMARK);
    }

    private static StateFile checkpointFile(PipelineConfig.Streaming streaming, Configuration hadoop) throws IOException {
        return new StateFile(new Path(streaming.checkpointLocation(), FILE), hadoop);
    }

    /** Whether the checkpoint has planned a batch: it has read from the topic. */
    private static boolean hasOffsets(Path checkpoint, Configuration hadoop) throws IOException {
        Path offsets = new Path(checkpoint, "offsets");
        FileSystem fs = offsets.getFileSystem(hadoop);
        return fs.exists(offsets) && fs.listStatus(offsets, p -> p.getName().matches("\\d+")).length > 0;
    }
}

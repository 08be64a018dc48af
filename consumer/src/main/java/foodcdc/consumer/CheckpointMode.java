package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The capture mode ({@code streaming.capture}) whose events the consumer's checkpoint has read,
 * recorded in the checkpoint ({@value #FILE}). The two modes write two lakes but share the
 * checkpoint key: a consumer switched to the other mode would read on at offsets into the other
 * mode's stream, into a lake that has none of what came before them. Refused at start (exit 3),
 * with the producer's remedy for its watermark. A checkpoint deleted (a reset) takes its record
 * with it, so its next run records the mode again.
 */
final class CheckpointMode {
    static final String FILE = "_capture.properties";
    private static final String KEY = "capture";

    private CheckpointMode() {
    }

    /**
     * Why a consumer in {@code streaming}'s mode must not read on from its checkpoint, if it
     * must not; records the mode when none is recorded yet.
     */
    static Optional<String> check(PipelineConfig.Streaming streaming, Configuration hadoop) throws IOException {
        StateFile file = file(streaming, hadoop);
        Optional<String> problem = problem(streaming, hadoop);
        if (problem.isEmpty() && file.read().isEmpty()) {
            file.write("The capture mode whose events this checkpoint reads (written by the consumer)",
                    Map.of(KEY, streaming.capture()));
        }
        return problem;
    }

    /** {@link #check} without recording anything. */
    static Optional<String> problem(PipelineConfig.Streaming streaming, Configuration hadoop) throws IOException {
        Optional<String> recorded = file(streaming, hadoop).read().map(v -> v.get(KEY));
        return problem(streaming, recorded, hasOffsets(new Path(streaming.checkpointLocation()), hadoop));
    }

    private static StateFile file(PipelineConfig.Streaming streaming, Configuration hadoop) throws IOException {
        return new StateFile(new Path(streaming.checkpointLocation(), FILE), hadoop);
    }

    /**
     * The pure rule: the mode on record, or for a checkpoint that has read events but has no
     * record (written before the modes existed) insert mode, must be {@code streaming}'s.
     */
    static Optional<String> problem(PipelineConfig.Streaming streaming, Optional<String> recorded, boolean hasOffsets) {
        Optional<String> mode = recorded.isPresent() ? recorded : hasOffsets ? Optional.of("inserts") : Optional.empty();
        if (mode.isEmpty() || mode.get().equals(streaming.capture())) {
            return Optional.empty();
        }
        return Optional.of(streaming.otherModeRefusal("the checkpoint " + streaming.checkpointLocation()
                + " has read " + ("inserts".equals(mode.get()) ? "insert" : "change capture") + " mode's events"));
    }

    /** Whether the checkpoint has planned a batch: it has read from the topic. */
    private static boolean hasOffsets(Path checkpoint, Configuration hadoop) throws IOException {
        Path offsets = new Path(checkpoint, "offsets");
        FileSystem fs = offsets.getFileSystem(hadoop);
        return fs.exists(offsets) && fs.listStatus(offsets, p -> p.getName().matches("\\d+")).length > 0;
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.config.PipelineConfig;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointModeTest {
    private static PipelineConfig.Streaming streaming(String capture) {
        return new PipelineConfig.Streaming("/cp", "/wm", 5, 100_000, 1_000, 100_000, capture);
    }

    private static String refusal(String capture, String had, String back) {
        return "streaming.capture is " + capture + ", but the checkpoint /cp has read " + had + " mode's events: an "
                + "existing pipeline does not switch modes. Either set streaming.capture back to " + back + ", or start "
                + "this mode afresh: point streaming.last_processed_timestamp_location and "
                + "streaming.checkpoint_location at new folders and kafka.topic at a new topic (docs/CHANGES.md)";
    }

    @Test
    void shouldTakeANewCheckpointInEitherMode() {
        assertEquals(Optional.empty(), CheckpointMode.problem(streaming("changes"), Optional.empty(), false));
        assertEquals(Optional.empty(), CheckpointMode.problem(streaming("inserts"), Optional.empty(), false));
    }

    @Test
    void shouldReadOnInTheModeOnRecord() {
        assertEquals(Optional.empty(), CheckpointMode.problem(streaming("changes"), Optional.of("changes"), true));
        assertEquals(Optional.empty(), CheckpointMode.problem(streaming("inserts"), Optional.of("inserts"), true));
    }

    @Test
    void shouldRefuseTheOtherModeOnRecord() {
        assertEquals(Optional.of(refusal("inserts", "change capture", "changes")),
                CheckpointMode.problem(streaming("inserts"), Optional.of("changes"), true));
        assertEquals(Optional.of(refusal("changes", "insert", "inserts")),
                CheckpointMode.problem(streaming("changes"), Optional.of("inserts"), false));
    }

    @Test
    void shouldTakeACheckpointWithoutARecordThatHasReadEventsForInsertMode() {
        // Written before the modes existed: it can only have read insert events.
        assertEquals(Optional.empty(), CheckpointMode.problem(streaming("inserts"), Optional.empty(), true));
        assertEquals(Optional.of(refusal("changes", "insert", "inserts")),
                CheckpointMode.problem(streaming("changes"), Optional.empty(), true));
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.config.PipelineConfig;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateModeTest {
    private static final Set<String> NO_LAKE = Set.of();

    private static PipelineConfig.Streaming streaming(String capture) {
        return new PipelineConfig.Streaming("/cp", "/wm", 5, 100_000, 1_000, 100_000, capture);
    }

    private static Optional<String> problem(String capture, Optional<String> recorded, boolean hasOffsets,
                                            Set<String> topicReaders) {
        return StateMode.checkpointProblem(streaming(capture), recorded, hasOffsets, topicReaders);
    }

    private static Optional<String> refusal(String capture, String found, String back) {
        return Optional.of("streaming.capture is " + capture + ", but " + found + ": an existing pipeline does not "
                + "switch modes. Either set streaming.capture back to " + back + ", or start this mode afresh: point "
                + "datalake.path, streaming.last_processed_timestamp_location and streaming.checkpoint_location at new "
                + "folders and kafka.topic at a new topic (docs/CHANGES.md)");
    }

    @Test
    void shouldTakeANewPipelineInEitherMode() {
        assertEquals(Optional.empty(), problem("changes", Optional.empty(), false, NO_LAKE));
        assertEquals(Optional.empty(), problem("inserts", Optional.empty(), false, NO_LAKE));
    }

    @Test
    void shouldReadOnInTheModeOnRecord() {
        assertEquals(Optional.empty(), problem("changes", Optional.of("changes"), true, Set.of("changes")));
        assertEquals(Optional.empty(), problem("inserts", Optional.of("inserts"), true, NO_LAKE));
    }

    @Test
    void shouldRefuseTheOtherModeOnRecord() {
        assertEquals(refusal("inserts", "the checkpoint /cp has read change capture mode's events", "changes"),
                problem("inserts", Optional.of("changes"), true, NO_LAKE));
        assertEquals(refusal("changes", "the checkpoint /cp has read insert mode's events", "inserts"),
                problem("changes", Optional.of("inserts"), true, Set.of("changes")));
    }

    @Test
    void shouldTellACheckpointWithoutARecordByTheLakeThatHasReadTheTopic() {
        // Change mode's checkpoints from before the record: the change history's topic record names the topic.
        assertEquals(Optional.empty(), problem("changes", Optional.empty(), true, Set.of("changes")));
        assertEquals(refusal("inserts", "the checkpoint /cp has read change capture mode's events", "changes"),
                problem("inserts", Optional.empty(), true, Set.of("changes")));
        assertEquals(refusal("changes", "the checkpoint /cp has read insert mode's events", "inserts"),
                problem("changes", Optional.empty(), true, Set.of("inserts")));
        // No lake explains it: insert mode's, the only one before topic records.
        assertEquals(Optional.empty(), problem("inserts", Optional.empty(), true, NO_LAKE));
        assertEquals(refusal("changes", "the checkpoint /cp has read insert mode's events", "inserts"),
                problem("changes", Optional.empty(), true, NO_LAKE));
        // Both lakes name it: the record cannot be told, so the checkpoint is taken as it is.
        assertEquals(Optional.empty(), problem("changes", Optional.empty(), true, Set.of("changes", "inserts")));
    }

    @Test
    void shouldRefuseANewCheckpointOnATopicTheOtherModeHasRead() {
        assertEquals(refusal("inserts", "kafka.topic was read in change capture mode (the lake's topic record says so)",
                "changes"), problem("inserts", Optional.empty(), false, Set.of("changes")));
        assertEquals(Optional.empty(), problem("changes", Optional.empty(), false, Set.of("changes")));
    }
}

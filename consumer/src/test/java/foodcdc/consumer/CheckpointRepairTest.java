package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CheckpointRepairTest {
    @Test
    void shouldReadSparksOffsetAndCommitFilesAsReadable() {
        assertTrue(CheckpointRepair.readable("v1\n{\"batchWatermarkMs\":0,\"batchTimestampMs\":1}\n{\"t\":{\"0\":12}}"));
        assertTrue(CheckpointRepair.readable("v1\n{\"nextBatchWatermarkMs\":0}"));
        assertTrue(CheckpointRepair.readable("v1\n{\"batchWatermarkMs\":0}\n-"));
    }

    @Test
    void shouldTakeWhatACrashOfTheHostLeavesAsUnreadable() {
        assertFalse(CheckpointRepair.readable(""), "empty");
        assertFalse(CheckpointRepair.readable("\0\0\0\0\0\0\0\0"), "zeroed");
        assertFalse(CheckpointRepair.readable("v1\n"), "the version line only");
        assertFalse(CheckpointRepair.readable("v1\n{\"nextBatchWatermarkMs\":0}\0\0\0"), "zeroed tail");
        assertFalse(CheckpointRepair.readable("v1\n{\"batchWatermarkMs\":0}\n{\"t\":{\"0\":1"), "cut short");
    }

    @Test
    void shouldReadTheKafkaSourcesFirstOffsetsAfterTheirLeadingZeroByte() {
        String written = "\0v1\n{\"orders_raw\":{\"2\":0,\"1\":0,\"0\":0}}";   // as Spark writes sources/0/0
        assertTrue(CheckpointRepair.readableFirstOffsets(written));
        assertFalse(CheckpointRepair.readableFirstOffsets(""));
        assertFalse(CheckpointRepair.readableFirstOffsets("\0\0\0\0"));
    }
}

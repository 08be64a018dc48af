package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Which read failures mean "a merge removed a listed file": the validator lists again for those only. */
class LakeReaderTest {

    @Test
    void shouldTellAFileGoneFromOtherFailures() {
        // How Spark reports a file deleted under a running read: a task failure caused by it.
        assertTrue(LakeReader.fileGone(new IllegalStateException("Job aborted",
                new RuntimeException("task failed", new FileNotFoundException("File file:/lake/date=x/batch-1.parquet does not exist")))));
        // And one deleted between the listing and the planning of the read.
        assertTrue(LakeReader.fileGone(new Exception("[PATH_NOT_FOUND] Path does not exist: file:/lake/date=x/batch-1.parquet.")));
        assertFalse(LakeReader.fileGone(new IOException("Permission denied")));
        assertFalse(LakeReader.fileGone(new RuntimeException("Parquet column cannot be converted", null)));
    }
}

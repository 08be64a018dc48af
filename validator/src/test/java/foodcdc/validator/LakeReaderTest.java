package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.lake.LakeLayout;
import foodcdc.stack.TestSpark;
import foodcdc.validator.Reconciliation.Quarantined;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void shouldReadACompactedQuarantinesRecordsOnceAndNoMergesLeftovers(@TempDir Path dir) throws Exception {
        Path quarantine = Files.createDirectories(dir.resolve("orders" + LakeLayout.QUARANTINE_SUFFIX));
        rejects(quarantine.resolve(LakeLayout.mergedFile(1)), 1, 2);
        rejects(quarantine.resolve(LakeLayout.batchFile("3f2c0a5e-0000-4000-8000-000000000001", 10)), 3, 3);
        // A merge of batch 10 under way: its output and journal are no Parquet files of the listing.
        rejects(quarantine.resolve(LakeLayout.mergingFile("1b4e")), 3, 3);
        Files.writeString(quarantine.resolve(LakeLayout.journalFile("1b4e")), "merged-L1-x.parquet\n");
        List<Quarantined> read = LakeReader.quarantine(TestSpark.session(), quarantine.toString(), new java.util.HashMap<>()).stream()
                .sorted(Comparator.comparing(Quarantined::orderId)).toList();
        assertEquals(List.of(new Quarantined(1, "negative_amount"), new Quarantined(2, "negative_amount"),
                new Quarantined(3, "negative_amount")), read);
    }

    /** A quarantine file of orders {@code from..to}, each rejected for a negative amount. */
    private static void rejects(Path file, int from, int to) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("COPY (SELECT 'negative_amount' AS reason, '{\"order_id\":' || i || ',\"amount\":-1}' AS payload "
                    + "FROM range(" + from + ", " + (to + 1) + ") t(i)) TO '" + file + "' (FORMAT parquet)");
        }
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.consumer.CompactionPolicy.Merge;
import foodcdc.lake.LakeLayout;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class CompactionPolicyTest {
    private static final String Q = "3f2c0a5e-0000-4000-8000-000000000001";
    private static final LocalDate TODAY = LocalDate.parse("2025-11-18");

    private static Map<String, Long> batches(int from, int to, long bytes) {
        Map<String, Long> files = new TreeMap<>();
        for (int b = from; b < to; b++) {
            files.put(LakeLayout.batchFile(Q, b), bytes);
        }
        return files;
    }

    /** The next merge of a lake whose quarantine is empty. */
    private static Optional<Merge> lakeOnly(Map<String, Map<String, Long>> days, LocalDate today) {
        return CompactionPolicy.next(days, Map.of(), today);
    }

    @Test
    void shouldMergeNothingBelowTheFanout() {
        assertEquals(Optional.empty(), lakeOnly(Map.of("2025-11-18", batches(0, 9, 1_000)), TODAY));
    }

    @Test
    void shouldMergeTenMicroBatchFilesIntoOneOfLevelOne() {
        Merge m = lakeOnly(Map.of("2025-11-18", batches(0, 10, 1_000)), TODAY).orElseThrow();
        assertEquals("2025-11-18", m.date());
        assertEquals(1, m.level());
        assertEquals(batches(0, 10, 1_000).keySet().stream().toList(), m.inputs());
    }

    @Test
    void shouldMergeTenLevelOneFilesIntoLevelTwo() {
        Map<String, Long> files = batches(0, 3, 1_000);
        for (int i = 0; i < 10; i++) {
            files.put(LakeLayout.mergedFile(1), 10_000L);
        }
        Merge m = lakeOnly(Map.of("2025-11-18", files), TODAY).orElseThrow();
        assertEquals(2, m.level());
        assertEquals(10, m.inputs().size());
        assertTrue(m.inputs().stream().allMatch(n -> LakeLayout.level(n) == 1));
    }

    @Test
    void shouldBoundAnOpenDayByTheFanoutPerLevelAfterADayOfMicroBatches() {
        Map<String, Long> files = new HashMap<>();
        Map<String, Map<String, Long>> folders = Map.of("2025-11-18", files);
        int most = 0;
        for (int b = 0; b < 86_400; b++) {
            files.put(LakeLayout.batchFile(Q, b), 2_000L);
            Optional<Merge> m = lakeOnly(folders, TODAY);   // one merge per micro-batch
            if (m.isPresent()) {
                long bytes = m.get().inputs().stream().mapToLong(files::remove).sum();
                files.put(LakeLayout.mergedFile(m.get().level()), bytes);
            }
            most = Math.max(most, files.size());
        }
        assertTrue(most <= 50, "at most " + most + " files");
    }

    @Test
    void shouldBoundTheQuarantineLikeADayAfterADayOfRejectsBesideADayOfOrders() {
        Map<String, Long> day = new HashMap<>();
        Map<String, Long> quarantine = new HashMap<>();
        Map<String, Map<String, Long>> folders = Map.of("2025-11-18", day);
        int most = 0;
        for (int b = 0; b < 86_400; b++) {   // every micro-batch writes an order file and a reject file
            day.put(LakeLayout.batchFile(Q, b), 2_000L);
            quarantine.put(LakeLayout.batchFile(Q, b), 1_000L);
            Optional<Merge> m = CompactionPolicy.next(folders, quarantine, TODAY);   // one merge per micro-batch
            if (m.isPresent()) {
                Map<String, Long> files = m.get().inQuarantine() ? quarantine : day;
                long bytes = m.get().inputs().stream().mapToLong(files::remove).sum();
                files.put(LakeLayout.mergedFile(m.get().level()), bytes);
            }
            most = Math.max(most, Math.max(day.size(), quarantine.size()));
        }
        assertTrue(most <= 50, "at most " + most + " files in a folder");
        assertTrue(quarantine.size() <= 50 && day.size() <= 50, quarantine.size() + " and " + day.size() + " files");
    }

    @Test
    void shouldMergeTheQuarantineByTiersOnlyNeverAsAClosedDay() {
        Map<String, Long> quarantine = new TreeMap<>(batches(0, 9, 1_000));
        quarantine.put(LakeLayout.mergedFile(1), 10_000L);
        assertEquals(Optional.empty(), CompactionPolicy.next(Map.of(), quarantine, TODAY.plusYears(1)));
        quarantine.putAll(batches(9, 10, 1_000));
        Merge m = CompactionPolicy.next(Map.of(), quarantine, TODAY.plusYears(1)).orElseThrow();
        assertTrue(m.inQuarantine());
        assertEquals(1, m.level());
        assertEquals(batches(0, 10, 1_000).keySet().stream().toList(), m.inputs());
    }

    @Test
    void shouldMergeTheFullerOfADayAndTheQuarantine() {
        Map<String, Map<String, Long>> days = Map.of("2025-11-18", batches(0, 11, 1_000));
        assertEquals("2025-11-18", CompactionPolicy.next(days, batches(0, 10, 1_000), TODAY).orElseThrow().date());
        assertTrue(CompactionPolicy.next(days, batches(0, 12, 1_000), TODAY).orElseThrow().inQuarantine());
    }

    @Test
    void shouldMergeAClosedDayIntoOneFileAndLeaveYesterdayAndFutureDaysOpen() {
        Map<String, Long> small = new TreeMap<>(batches(0, 3, 1_000));
        small.put(LakeLayout.mergedFile(3), 5_000_000L);
        Map<String, Map<String, Long>> folders = new TreeMap<>(Map.of("2025-11-16", small, "2025-11-17",
                batches(0, 3, 1_000), "2025-11-18", batches(0, 3, 1_000), "2099-01-01", batches(0, 3, 1_000)));
        Merge m = lakeOnly(folders, TODAY).orElseThrow();
        assertEquals("2025-11-16", m.date());
        assertEquals(4, m.inputs().size());
        assertEquals(CompactionPolicy.CLOSED, m.level());
        folders.remove("2025-11-16");
        assertEquals(Optional.empty(), lakeOnly(folders, TODAY), "a 2099 order closes no day");
    }

    @Test
    void shouldNotRewriteAClosedDaysBigFileForEachStraggler() {
        Map<String, Long> day = new TreeMap<>(Map.of(LakeLayout.mergedFile(CompactionPolicy.CLOSED), 90_000_000L));
        day.put(LakeLayout.batchFile(Q, 1), 1_000L);
        Map<String, Map<String, Long>> folders = Map.of("2025-11-10", day);
        assertEquals(Optional.empty(), lakeOnly(folders, TODAY));
        day.put(LakeLayout.batchFile(Q, 2), 1_000L);
        Merge m = lakeOnly(folders, TODAY).orElseThrow();
        assertEquals(List.of(LakeLayout.batchFile(Q, 1), LakeLayout.batchFile(Q, 2)), m.inputs());
    }

    @Test
    void shouldMergeTheFullestFolderBeforeAClosedDay() {
        Map<String, Map<String, Long>> folders = Map.of("2025-11-01", batches(0, 50, 1_000),
                "2025-11-18", batches(0, 60, 1_000), "2025-11-17", batches(0, 12, 1_000));
        assertEquals("2025-11-18", lakeOnly(folders, TODAY).orElseThrow().date());
        Map<String, Map<String, Long>> onlyClosed = Map.of("2025-11-01", batches(0, 5, 1_000),
                "2025-11-18", batches(0, 9, 1_000));
        assertEquals("2025-11-01", lakeOnly(onlyClosed, TODAY).orElseThrow().date());
    }

    @Test
    void shouldLeaveBigFilesForeignFilesAndOtherFoldersAlone() {
        Map<String, Long> files = new TreeMap<>(batches(0, 9, 1_000));
        files.put(LakeLayout.batchFile(Q, 99), CompactionPolicy.BIG_BYTES);
        files.put("part-00000-from-duckdb.parquet", 1_000L);
        files.put("batch-notes.parquet", 1_000L);
        assertEquals(Optional.empty(), lakeOnly(Map.of("2025-11-18", files), TODAY));
        assertEquals(Optional.empty(), lakeOnly(Map.of("__HIVE_DEFAULT_PARTITION__", batches(0, 20, 1)),
                TODAY));
    }

    @Test
    void shouldTakeAtMostAHundredFilesOrAboutOneBigFileOfInputAtOnce() {
        assertEquals(CompactionPolicy.MAX_INPUTS, lakeOnly(Map.of("2025-11-18", batches(0, 20_000, 250)),
                TODAY).orElseThrow().inputs().size());
        long third = CompactionPolicy.BIG_BYTES / 3 + 1;
        Merge m = lakeOnly(Map.of("2025-11-18", batches(0, 10, third)), TODAY).orElseThrow();
        assertEquals(3, m.inputs().size());
    }

    @Test
    void shouldReadLevelsFromNames() {
        assertEquals(0, LakeLayout.level(LakeLayout.batchFile(Q, 12)));
        assertEquals(7, LakeLayout.level(LakeLayout.mergedFile(7)));
        assertEquals(LakeLayout.FOREIGN, LakeLayout.level(LakeLayout.mergingFile("1b4e")));
        assertEquals(LakeLayout.FOREIGN, LakeLayout.level(LakeLayout.journalFile("1b4e")));
        assertEquals(LakeLayout.FOREIGN, LakeLayout.level("merged-L1-not-ours.parquet.bak"));
        assertEquals(List.of("2025-11-18"), java.util.stream.Stream.of("date=2025-11-18", "other")
                .map(LakeLayout::dateOf).filter(java.util.Objects::nonNull).toList());
    }
}

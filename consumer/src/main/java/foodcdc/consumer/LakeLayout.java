package foodcdc.consumer;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Where the consumer's files live and what their names say. Beside {@code datalake.path}: the
 * quarantine ({@code <path>_quarantine}) and the staging folder ({@code <path>_staging}, where
 * files are written before they are renamed into place). In the lake, {@code date=YYYY-MM-DD}
 * folders holding:
 * <ul>
 *   <li>{@code batch-N-<query id>.parquet}: what micro-batch N of a streaming query wrote
 *       (level 0: small, one per micro-batch and date);</li>
 *   <li>{@code merged-L<k>-<uuid>.parquet}: a compaction of files of level k−1 ({@link Compactor});</li>
 *   <li>{@code .merging-<uuid>.tmp}: a compaction's output before it replaces its inputs, and
 *       {@code .merging-<uuid>.journal}, the list of those inputs (no reader lists either: they
 *       do not end in {@code .parquet}).</li>
 * </ul>
 * Any other Parquet file (put there by a person or another tool) is read, never moved or deleted.
 */
final class LakeLayout {
    private static final Pattern BATCH = Pattern.compile("batch-(\\d+)-(.+)\\.parquet");
    private static final Pattern MERGED = Pattern.compile("merged-L(\\d+)-[0-9a-f-]+\\.parquet");
    static final String MERGING_PREFIX = ".merging-";
    /** The level of a file this consumer did not write: never compacted. */
    static final int FOREIGN = -1;

    final Path lake;
    final Path quarantine;
    final Path staging;

    LakeLayout(String lakePath) {
        this.lake = new Path(lakePath);
        this.quarantine = new Path(lakePath + "_quarantine");
        this.staging = new Path(lakePath + "_staging");
    }

    Path dateFolder(String date) {
        return new Path(lake, "date=" + date);
    }

    static String batchFile(String queryId, long batchId) {
        return "batch-" + batchId + "-" + queryId + ".parquet";
    }

    static String mergedFile(int level) {
        return "merged-L" + level + "-" + UUID.randomUUID() + ".parquet";
    }

    /** A merge's output before it replaces its inputs. */
    static String mergingFile(String mergeId) {
        return MERGING_PREFIX + mergeId + ".tmp";
    }

    /** The journal of a merge ({@link Compactor}), beside its output. */
    static String journalFile(String mergeId) {
        return MERGING_PREFIX + mergeId + ".journal";
    }

    /** The output beside a merge's journal. */
    static String mergingFileOfJournal(String journalName) {
        return journalName.substring(0, journalName.length() - ".journal".length()) + ".tmp";
    }

    /** 0 for a micro-batch's file, k for {@code merged-Lk-…}, {@link #FOREIGN} for anything else. */
    static int level(String fileName) {
        if (BATCH.matcher(fileName).matches()) {
            return 0;
        }
        Matcher m = MERGED.matcher(fileName);
        return m.matches() ? Integer.parseInt(m.group(1)) : FOREIGN;
    }

    /** The date of a {@code date=YYYY-MM-DD} folder name, or null for any other folder. */
    static String dateOf(String folderName) {
        return folderName.startsWith("date=") ? folderName.substring("date=".length()) : null;
    }
}

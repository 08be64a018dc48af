package foodcdc.lake;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * Where the lake's files live and what their names say. Beside {@code datalake.path}: the
 * quarantine ({@code <path>_quarantine}) and the staging folder ({@code <path>_staging}, where
 * files are written before they are renamed into place). In the lake, the consumer's lock
 * ({@code _consumer.lock}), the record of its source and topic, and
 * {@code date=YYYY-MM-DD} folders (the UTC day of created_at) holding:
 * <ul>
 *   <li>{@code batch-N-<query id>.parquet}: what micro-batch N of a streaming query wrote
 *       (level 0: small, one per micro-batch and date);</li>
 *   <li>{@code merged-L<k>-<uuid>.parquet}: a compaction of files of level k−1;</li>
 *   <li>{@code .merging-<uuid>.tmp}: a compaction's output before it replaces its inputs, and
 *       {@code .merging-<uuid>.journal}, the list of those inputs (no reader lists either: they
 *       do not end in {@code .parquet}).</li>
 * </ul>
 * Any other Parquet file (put there by a person or another tool) is read, never moved or deleted.
 * The quarantine holds {@code batch-N-<query id>.parquet} files of rejected records, compacted as
 * a date folder is: {@code merged-L<k>-<uuid>.parquet}, and a merge's {@code .merging-<uuid>}
 * files while it runs.
 */
public final class LakeLayout {
    /** The partition column, and the folder prefix {@code date=}. */
    public static final String DATE = "date";
    /** The quarantine folder is named by appending this to {@code datalake.path} (the staging folder likewise). */
    public static final String QUARANTINE_SUFFIX = "_quarantine";
    public static final String MERGING_PREFIX = ".merging-";
    /** The names of {@link #stagedMerge} folders start with this. */
    public static final String STAGED_MERGE_PREFIX = "merge-";
    /** The level of a file this consumer did not write: never compacted. */
    public static final int FOREIGN = -1;

    private static final String STAGING_SUFFIX = "_staging";
    private static final String CHANGES_SUFFIX = "_changes";
    private static final String PARQUET = ".parquet";
    private static final String DATE_PREFIX = DATE + "=";
    private static final String JOURNAL = ".journal";
    private static final String TMP = ".tmp";
    private static final Pattern BATCH = Pattern.compile("batch-(\\d+)-(.+)\\.parquet");
    private static final Pattern MERGED = Pattern.compile("merged-L(\\d+)-[0-9a-f-]+\\.parquet");

    public final Path lake;
    public final Path quarantine;
    public final Path staging;

    /** {@code lakePath} is {@code datalake.path}, which the config requires without a trailing /. */
    public LakeLayout(String lakePath) {
        this.lake = new Path(lakePath);
        this.quarantine = new Path(lakePath + QUARANTINE_SUFFIX);
        this.staging = new Path(lakePath + STAGING_SUFFIX);
    }

    /**
     * The change history of change capture mode ({@code streaming.capture: changes}): a lake of
     * its own beside {@code datalake.path}, laid out as this class says (its own quarantine,
     * staging folder and lock), partitioned by the UTC day of changed_at.
     */
    public static String changeHistory(String lakePath) {
        return lakePath + CHANGES_SUFFIX;
    }

    public Path dateFolder(String date) {
        return new Path(lake, dateFolderName(date));
    }

    /** {@code date=2025-11-18}. */
    public static String dateFolderName(Object date) {
        return DATE_PREFIX + date;
    }

    /** The date of a {@code date=YYYY-MM-DD} folder name, or null for any other folder. */
    public static String dateOf(String folderName) {
        return folderName.startsWith(DATE_PREFIX) ? folderName.substring(DATE_PREFIX.length()) : null;
    }

    /**
     * Lock file held by the one consumer writing this lake: in the lake folder itself, so that
     * every spelling of it (a symlink to it, or to a folder above it) finds the same file. (Beside
     * it, in the staging folder, a symlinked lake would have a lock of its own.) Readers skip it:
     * it does not end in {@code .parquet}, and Spark ignores names starting with {@code _}.
     */
    public Path lockFile() {
        return new Path(lake, "_consumer.lock");
    }

    /** Where versions before {@link #lockFile} held the lock; taken too, so that one of them still running keeps a new one out. */
    public Path earlierLockFile() {
        return new Path(staging, "consumer.lock");
    }

    /** Where a micro-batch's lake files are written before they are renamed into place. */
    public Path stagedBatch(String fileName) {
        return new Path(staging, fileName);
    }

    /** Where a micro-batch's quarantine file is written before it is renamed into place. */
    public Path stagedQuarantine(String fileName) {
        return new Path(staging, "quarantine-" + fileName);
    }

    /** Where a merge's output is written before it is renamed into its date folder. */
    public Path stagedMerge(String mergeId) {
        return new Path(staging, STAGED_MERGE_PREFIX + mergeId);
    }

    public static String batchFile(String queryId, long batchId) {
        return "batch-" + batchId + "-" + queryId + PARQUET;
    }

    /**
     * A micro-batch's file kept under another name, when its batch is planned again with other
     * offsets (a checkpoint a crash of the host damaged): still level 0 (merged as any), never
     * replaced by a batch.
     */
    public static String setAsideBatchFile(String queryId, long batchId) {
        return "batch-" + batchId + "-" + queryId + "-set-aside-" + UUID.randomUUID() + PARQUET;
    }

    public static String mergedFile(int level) {
        return "merged-L" + level + "-" + UUID.randomUUID() + PARQUET;
    }

    /** A merge's output before it replaces its inputs. */
    public static String mergingFile(String mergeId) {
        return MERGING_PREFIX + mergeId + TMP;
    }

    /** The journal of a merge, beside its output. */
    public static String journalFile(String mergeId) {
        return MERGING_PREFIX + mergeId + JOURNAL;
    }

    /**
     * A merge's output or journal, or the temporary file of either (written as
     * {@code .<name>.tmp} beside it, see {@code PlainFiles}).
     */
    public static boolean isMergeLeftover(String fileName) {
        return fileName.startsWith(MERGING_PREFIX) || fileName.startsWith("." + MERGING_PREFIX);
    }

    public static boolean isJournal(String fileName) {
        return fileName.startsWith(MERGING_PREFIX) && fileName.endsWith(JOURNAL);
    }

    /** The output beside a merge's journal. */
    public static String mergingFileOfJournal(String journalName) {
        return journalName.substring(0, journalName.length() - JOURNAL.length()) + TMP;
    }

    public static boolean isParquet(String fileName) {
        return fileName.endsWith(PARQUET);
    }

    /** 0 for a micro-batch's file, k for {@code merged-Lk-…}, {@link #FOREIGN} for anything else. */
    public static int level(String fileName) {
        if (BATCH.matcher(fileName).matches()) {
            return 0;
        }
        Matcher m = MERGED.matcher(fileName);
        return m.matches() ? Integer.parseInt(m.group(1)) : FOREIGN;
    }
}

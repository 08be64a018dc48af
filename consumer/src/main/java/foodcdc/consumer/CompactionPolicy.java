package foodcdc.consumer;

import foodcdc.lake.LakeLayout;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Which files of the lake or its quarantine to merge next, as a pure function of the files per
 * date folder and in the quarantine (name and size) and today's date. Tiered, so that every
 * order is rewritten only a few times however long the day: every {@value #FANOUT} files of one
 * level become one file of the next level (a micro-batch's file is level 0). A day with traffic
 * every second therefore holds at most {@code (FANOUT − 1) × levels} files, about 45 after
 * 86,400 micro-batches. A closed day (before yesterday, by the clock: a stray far-future date
 * closes nothing) has its files of lower levels merged into one file of level {@value #CLOSED};
 * late orders for it gather the same way, and {@value #FANOUT} such files are merged again, so
 * the big file is not rewritten for every straggler. Tier merges go first, the fullest folder
 * first, so a closed day that keeps getting stragglers cannot starve today's folder. Files of
 * {@value #BIG_BYTES} bytes or more, and files this consumer did not write, are left alone.
 *
 * <p>The quarantine is one folder for all days and never closes: it gets tier merges only, so
 * after a day of rejects every second it holds about 45 files, after a year under 80 (until its
 * files reach {@value #BIG_BYTES} bytes, which then stay as they are).
 */
final class CompactionPolicy {
    static final int FANOUT = 10;
    /** The level of a closed day's merged file. */
    static final int CLOSED = 9;
    /** Most files in one merge: a lake grown by an earlier version is worked off in steps. */
    static final int MAX_INPUTS = 100;
    /** A file this large is big enough for any reader; merges stop adding to it. */
    static final long BIG_BYTES = 128L << 20;

    /**
     * Merge {@code inputs} (file names in the folder of {@code date}, or in the quarantine when
     * {@code date} is null) into one file of {@code level}.
     */
    record Merge(String date, List<String> inputs, int level) {
        boolean inQuarantine() {
            return date == null;
        }
    }

    private CompactionPolicy() {
    }

    /**
     * The next merge, if any. {@code days}: date → file name → bytes; {@code quarantine}: file
     * name → bytes.
     */
    static Optional<Merge> next(Map<String, Map<String, Long>> days, Map<String, Long> quarantine, LocalDate today) {
        Merge fullest = null;
        Merge closed = null;
        for (var folder : new TreeMap<>(days).entrySet()) {
            LocalDate date = parse(folder.getKey());
            if (date == null) {
                continue;
            }
            TreeMap<Integer, List<String>> byLevel = byLevel(folder.getValue());
            fullest = fuller(fullest, folder.getKey(), folder.getValue(), byLevel);
            List<String> belowClosed = byLevel.headMap(CLOSED).values().stream().flatMap(List::stream).toList();
            if (closed == null && date.isBefore(today.minusDays(1)) && belowClosed.size() >= 2) {
                closed = merge(folder.getKey(), folder.getValue(), belowClosed, CLOSED);
            }
        }
        // The quarantine's records are of no one day, so no day's closing merges them.
        fullest = fuller(fullest, null, quarantine, byLevel(quarantine));
        return Optional.ofNullable(fullest != null ? fullest : closed);
    }

    /** The files this consumer may merge, by level, each level's names sorted. */
    private static TreeMap<Integer, List<String>> byLevel(Map<String, Long> files) {
        TreeMap<Integer, List<String>> byLevel = new TreeMap<>();
        new TreeMap<>(files).forEach((name, bytes) -> {
            int level = LakeLayout.level(name);
            if (level != LakeLayout.FOREIGN && bytes < BIG_BYTES) {
                byLevel.computeIfAbsent(level, l -> new ArrayList<>()).add(name);
            }
        });
        return byLevel;
    }

    /**
     * {@code best}, or the merge of the level of {@code files} that holds {@value #FANOUT} files
     * or more and more than {@code best}'s inputs.
     */
    private static Merge fuller(Merge best, String date, Map<String, Long> files,
                                TreeMap<Integer, List<String>> byLevel) {
        for (var level : byLevel.entrySet()) {
            if (level.getValue().size() >= FANOUT && (best == null || level.getValue().size() > best.inputs().size())) {
                best = merge(date, files, level.getValue(), level.getKey() + 1);
            }
        }
        return best;
    }

    /** The first files of {@code candidates}, up to {@link #MAX_INPUTS} and about {@link #BIG_BYTES} in all. */
    private static Merge merge(String date, Map<String, Long> files, List<String> candidates, int level) {
        List<String> inputs = new ArrayList<>();
        long bytes = 0;
        for (String name : candidates) {
            if (inputs.size() >= 2 && (inputs.size() >= MAX_INPUTS || bytes >= BIG_BYTES)) {
                break;
            }
            inputs.add(name);
            bytes += files.get(name);
        }
        return new Merge(date, List.copyOf(inputs), level);
    }

    static LocalDate parse(String date) {
        try {
            return LocalDate.parse(date);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

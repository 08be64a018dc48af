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
 * Which files of the lake to merge next, as a pure function of the files per date folder (name
 * and size) and today's date. Tiered, so that every order is rewritten only a few times however
 * long the day: every {@value #FANOUT} files of one level become one file of the next level (a
 * micro-batch's file is level 0). A day with traffic every second therefore holds at most
 * {@code (FANOUT − 1) × levels} files, about 45 after 86,400 micro-batches. A closed day (before
 * yesterday, by the clock: a stray far-future date closes nothing) has its files of lower levels
 * merged into one file of level {@value #CLOSED}; late orders for it gather the same way, and
 * {@value #FANOUT} such files are merged again, so the big file is not rewritten for every
 * straggler. Tier merges go first, the fullest folder first, so a closed day that keeps getting
 * stragglers cannot starve today's folder. Files of {@value #BIG_BYTES} bytes or more, and files
 * this consumer did not write, are left alone.
 */
final class CompactionPolicy {
    static final int FANOUT = 10;
    /** The level of a closed day's merged file. */
    static final int CLOSED = 9;
    /** Most files in one merge: a lake grown by an earlier version is worked off in steps. */
    static final int MAX_INPUTS = 100;
    /** A file this large is big enough for any reader; merges stop adding to it. */
    static final long BIG_BYTES = 128L << 20;

    /** Merge {@code inputs} (file names in the folder of {@code date}) into one file of {@code level}. */
    record Merge(String date, List<String> inputs, int level) {
    }

    private CompactionPolicy() {
    }

    /** The next merge, if any. {@code folders}: date → file name → bytes. */
    static Optional<Merge> next(Map<String, Map<String, Long>> folders, LocalDate today) {
        Merge fullest = null;
        Merge closed = null;
        for (var folder : new TreeMap<>(folders).entrySet()) {
            LocalDate date = parse(folder.getKey());
            if (date == null) {
                continue;
            }
            TreeMap<Integer, List<String>> byLevel = new TreeMap<>();
            new TreeMap<>(folder.getValue()).forEach((name, bytes) -> {
                int level = LakeLayout.level(name);
                if (level != LakeLayout.FOREIGN && bytes < BIG_BYTES) {
                    byLevel.computeIfAbsent(level, l -> new ArrayList<>()).add(name);
                }
            });
            for (var level : byLevel.entrySet()) {
                if (level.getValue().size() >= FANOUT
                        && (fullest == null || level.getValue().size() > fullest.inputs().size())) {
                    fullest = merge(folder, level.getValue(), level.getKey() + 1);
                }
            }
            List<String> belowClosed = byLevel.headMap(CLOSED).values().stream().flatMap(List::stream).toList();
            if (closed == null && date.isBefore(today.minusDays(1)) && belowClosed.size() >= 2) {
                closed = merge(folder, belowClosed, CLOSED);
            }
        }
        return Optional.ofNullable(fullest != null ? fullest : closed);
    }

    /** The first files of {@code candidates}, up to {@link #MAX_INPUTS} and about {@link #BIG_BYTES} in all. */
    private static Merge merge(Map.Entry<String, Map<String, Long>> folder, List<String> candidates, int level) {
        List<String> inputs = new ArrayList<>();
        long bytes = 0;
        for (String name : candidates) {
            if (inputs.size() >= 2 && (inputs.size() >= MAX_INPUTS || bytes >= BIG_BYTES)) {
                break;
            }
            inputs.add(name);
            bytes += folder.getValue().get(name);
        }
        return new Merge(folder.getKey(), List.copyOf(inputs), level);
    }

    static LocalDate parse(String date) {
        try {
            return LocalDate.parse(date);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

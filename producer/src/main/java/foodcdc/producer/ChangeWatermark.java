package foodcdc.producer;

import java.util.Optional;
import java.util.Properties;

/**
 * How far the producer has published the change table, in change capture mode: every change
 * of a transaction visible in the snapshot {@code published} (none: nothing yet), and, when a
 * poll's share was too large for one batch, the next snapshot {@code working} with its changes
 * published up to the key {@code after} ({@code (xid, change_id)}, the order they are read in).
 * The changes between two snapshots are final once both are taken: no transaction can end
 * before a snapshot that is already taken, so nothing can ever appear behind this watermark
 * ({@link ChangeQuery}).
 *
 * <p>Its file form is a small human-readable properties text, like {@link Watermark}'s; the
 * {@code capture} line tells the two apart, so one mode never reads the other's file as its own.
 */
public record ChangeWatermark(Optional<Snapshot> published, Optional<Snapshot> working, Optional<Key> after)
        implements Position {
    static final String CAPTURE = "changes";

    /** A change's place in reading order. */
    record Key(long xid, long changeId) {
        Key {
            if (xid < 0 || changeId < 0) {
                throw new IllegalArgumentException("a change's key is two non-negative numbers, got (" + xid + ", "
                        + changeId + ")");
            }
        }

        /** A PostgreSQL row constructor to compare {@code (xid, change_id)} with. */
        String sqlRow() {
            return "('" + xid + "'::xid8, " + changeId + ")";
        }
    }

    public ChangeWatermark {
        if (working.isPresent() != after.isPresent()) {
            throw new IllegalArgumentException("a snapshot being published needs the key it was published to, and "
                    + "only it has one");
        }
        if (published.isEmpty() && working.isEmpty()) {
            throw new IllegalArgumentException("a change watermark holds a snapshot");
        }
    }

    /** Every change up to snapshot {@code s} published. */
    static ChangeWatermark upTo(Snapshot s) {
        return new ChangeWatermark(Optional.of(s), Optional.empty(), Optional.empty());
    }

    /** The snapshot whose changes are being published now: the working one, or a new one. */
    Snapshot target(Snapshot fresh) {
        return working.orElse(fresh);
    }

    /**
     * Where a batch read after {@code from} (empty: the first) in snapshot {@code target} leaves
     * the producer: all of the snapshot published ({@code complete}), or up to {@code last}.
     */
    static ChangeWatermark after(Optional<ChangeWatermark> from, Snapshot target, Key last, boolean complete) {
        return complete ? upTo(target) : new ChangeWatermark(from.flatMap(ChangeWatermark::published),
                Optional.of(target), Optional.of(last));
    }

    @Override
    public String encode() {
        StringBuilder b = new StringBuilder()
                .append("# How far the change table is published to Kafka and acknowledged (streaming.capture: changes).\n")
                .append("# published: every change of a transaction that had ended by this snapshot (xmin:xmax:in progress).\n")
                .append("capture=").append(CAPTURE).append('\n');
        published.ifPresent(s -> b.append("published=").append(s.text()).append('\n'));
        if (working.isPresent()) {
            b.append("# working: the next snapshot, published up to the change (after_xid, after_change_id).\n")
                    .append("working=").append(working.get().text()).append('\n')
                    .append("after_xid=").append(after.get().xid()).append('\n')
                    .append("after_change_id=").append(after.get().changeId()).append('\n');
        }
        return b.toString();
    }

    /** Whether a watermark file's text is one of change capture mode. */
    static boolean isChangeWatermark(String text) {
        return CAPTURE.equals(Watermark.properties(text).getProperty("capture", "").trim());
    }

    static ChangeWatermark decode(String text) {
        Properties p = Watermark.properties(text);
        if (!isChangeWatermark(text)) {
            throw new IllegalArgumentException("not a change capture watermark (capture=" + CAPTURE + " missing)");
        }
        Optional<Snapshot> published = Optional.ofNullable(p.getProperty("published")).map(Snapshot::parse);
        Optional<Snapshot> working = Optional.ofNullable(p.getProperty("working")).map(Snapshot::parse);
        Optional<Key> after = Optional.empty();
        String xid = p.getProperty("after_xid");
        String changeId = p.getProperty("after_change_id");
        if (xid != null || changeId != null) {
            if (xid == null || changeId == null) {
                throw new IllegalArgumentException("after_xid and after_change_id go together, got: " + p.keySet());
            }
            try {
                after = Optional.of(new Key(Long.parseLong(xid.trim()), Long.parseLong(changeId.trim())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad change watermark value: " + e.getMessage(), e);
            }
        }
        return new ChangeWatermark(published, working, after);
    }

    @Override
    public String toString() {
        return "(published " + published.map(Snapshot::brief).orElse("none")
                + working.map(w -> ", then " + w.brief() + " up to change " + after.get().changeId()).orElse("") + ")";
    }
}

package foodcdc.producer;

import java.io.IOException;
import java.io.StringReader;
import java.util.Properties;

/**
 * The last change published to Kafka and acknowledged, in change capture mode: the key the
 * change table is read in, {@code (xid, change_id)}. The next poll starts strictly after it.
 * Every change below the transaction-id fence is final when it is read ({@link ChangeQuery}),
 * so nothing can appear behind this watermark later.
 *
 * <p>Its file form is a small human-readable properties text, like {@link Watermark}'s; the
 * {@code capture} line tells the two apart, so one mode never reads the other's file as its own.
 */
public record ChangeWatermark(long xid, long changeId) implements Position, Comparable<ChangeWatermark> {
    static final String CAPTURE = "changes";

    public ChangeWatermark {
        if (xid < 0 || changeId < 0) {
            throw new IllegalArgumentException("a change watermark is two non-negative numbers, got (" + xid + ", "
                    + changeId + ")");
        }
    }

    /** A PostgreSQL row constructor to compare {@code (xid, change_id)} with. */
    String sqlRow() {
        return "('" + xid + "'::xid8, " + changeId + ")";
    }

    @Override
    public String encode() {
        return "# Last change published to Kafka and acknowledged; the next poll starts after it.\n"
                + "# xid: the writing transaction's id (pg_current_xact_id); change_id: its row in the change table.\n"
                + "capture=" + CAPTURE + "\n"
                + "xid=" + xid + "\n"
                + "change_id=" + changeId + "\n";
    }

    /** Whether a watermark file's text is one of change capture mode. */
    static boolean isChangeWatermark(String text) {
        return CAPTURE.equals(properties(text).getProperty("capture", "").trim());
    }

    static ChangeWatermark decode(String text) {
        Properties p = properties(text);
        if (!isChangeWatermark(text)) {
            throw new IllegalArgumentException("not a change capture watermark (capture=" + CAPTURE + " missing)");
        }
        String xid = p.getProperty("xid");
        String changeId = p.getProperty("change_id");
        if (xid == null || changeId == null) {
            throw new IllegalArgumentException("change watermark must hold xid and change_id, got: " + p.keySet());
        }
        try {
            return new ChangeWatermark(Long.parseLong(xid.trim()), Long.parseLong(changeId.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad change watermark value: " + e.getMessage(), e);
        }
    }

    private static Properties properties(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable watermark: " + e.getMessage(), e);
        }
        return p;
    }

    @Override
    public int compareTo(ChangeWatermark o) {
        int c = Long.compare(xid, o.xid);
        return c != 0 ? c : Long.compare(changeId, o.changeId);
    }

    @Override
    public String toString() {
        return "(xid " + xid + ", change " + changeId + ")";
    }
}

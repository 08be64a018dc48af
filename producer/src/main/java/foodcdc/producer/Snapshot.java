package foodcdc.producer;

import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL snapshot ({@code pg_current_snapshot()}, text form {@code xmin:xmax:xip,…}): which
 * transactions had ended when it was taken. Every transaction id below {@code xmin} had ended;
 * none from {@code xmax} on had; between them, all but the ones in {@code inProgress} had. Ids
 * are xid8: 64 bits, never wrapping around. A transaction that had ended is "visible" in it
 * ({@code pg_visible_in_snapshot}), and stays visible in every later snapshot: that is what
 * lets change capture publish, poll by poll, the changes of the transactions that ended between
 * two snapshots, however late they commit ({@link ChangeQuery}).
 */
record Snapshot(long xmin, long xmax, List<Long> inProgress) {

    Snapshot {
        inProgress = List.copyOf(inProgress);
        if (xmin < 0 || xmax < xmin) {
            throw new IllegalArgumentException("not a snapshot: xmin " + xmin + ", xmax " + xmax);
        }
        for (long xid : inProgress) {
            if (xid < xmin || xid >= xmax) {
                throw new IllegalArgumentException("not a snapshot: " + xid + " in progress outside " + xmin + ":" + xmax);
            }
        }
    }

    /** From PostgreSQL's text form, {@code 100:105:101,103}. */
    static Snapshot parse(String text) {
        String[] parts = text.trim().split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a snapshot (xmin:xmax:xip,…): " + text);
        }
        try {
            List<Long> xip = new ArrayList<>();
            for (String xid : parts[2].split(",")) {
                if (!xid.isBlank()) {
                    xip.add(Long.parseLong(xid.trim()));
                }
            }
            return new Snapshot(Long.parseLong(parts[0].trim()), Long.parseLong(parts[1].trim()), xip);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a snapshot (xmin:xmax:xip,…): " + text, e);
        }
    }

    /** PostgreSQL's text form. */
    String text() {
        StringBuilder b = new StringBuilder().append(xmin).append(':').append(xmax).append(':');
        for (int i = 0; i < inProgress.size(); i++) {
            b.append(i > 0 ? "," : "").append(inProgress.get(i));
        }
        return b.toString();
    }

    /** A SQL literal of it. */
    String sql() {
        return "'" + text() + "'::pg_snapshot";
    }

    /** Short, for the logs: a busy server may have hundreds of transactions in progress. */
    String brief() {
        return xmin + ":" + xmax + (inProgress.isEmpty() ? "" : " (" + inProgress.size() + " in progress)");
    }
}

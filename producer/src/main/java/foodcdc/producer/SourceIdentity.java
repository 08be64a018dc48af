package foodcdc.producer;

import static foodcdc.sql.SqlIdentifier.quote;

import foodcdc.contract.ChangeEvent;
import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeSource;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the database the producer reaches is still the source its lake was built from
 * ({@link LakeSource}, recorded in the lake). A re-initialised cluster, a table created anew or
 * a table reset (TRUNCATE … RESTART IDENTITY, a restore from an older backup) hands out
 * order_ids the lake already holds: the consumer would drop those new orders as copies,
 * silently. So the producer looks before every poll (a few lookups in catalogs, the sequence and
 * the primary key) and stops with one line saying what changed and what to run.
 *
 * <p>A reset is seen either way round: while the sequence would hand out an order_id at or
 * below the highest one published, by the sequence; once it has passed the last order
 * published, by that order_id, which now names an order with another created_at. Only committed
 * orders are published, so a sequence that crash recovery set back to its last logged value is
 * never mistaken for a reset. The first producer on a lake records the source (from its
 * watermark, if it has one: a lake of an earlier version); every published batch records its
 * highest order_id and its last order.
 *
 * <p>In change capture mode the same holds of the change table and its change_ids, recorded in
 * the change history ({@link #ofChanges}): a change table dropped and installed again, or its
 * sequence set back, hands out change_ids the history holds, and the consumer would drop those
 * changes as copies. (The orders table may be reset there: its new orders are new changes.)
 */
final class SourceIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(SourceIdentity.class);
    /**
     * The new lake must read a new topic too: a new checkpoint reads the topic from its first
     * event, whose old orders would shadow the new source's under the same ids.
     */
    private static final String NEW_LAKE = "point datalake.path, streaming.checkpoint_location and "
            + "streaming.last_processed_timestamp_location at new folders and kafka.topic at a new topic";
    private static final String REUSED = "its new orders would reuse order_ids the lake holds and be dropped as copies";
    private static final String RESET = ": the table was reset (TRUNCATE … RESTART IDENTITY, a restore from an older "
            + "backup) and " + REUSED + ". ";

    private final String table;
    /** The table's key the lake is de-duplicated by: order_id, or the change table's change_id. */
    private final String key;
    private final String lake;
    private final StateFile file;
    private Optional<LakeSource> recorded;
    /** What the record would be if there is none yet: the watermark is the last order published. */
    private final Optional<LakeSource.Order> published;
    /** What the last look saw, to record once a batch is published. */
    private LakeSource.Live seen;
    private boolean warnedNoSequence;

    /** The source of the lake at {@code lake}, recorded in {@code file}, or, if not yet, the producer's watermark. */
    SourceIdentity(String table, String lake, StateFile file, Optional<Position> watermark) throws IOException {
        this(table, OrderEvent.ORDER_ID, lake, file, watermark);
    }

    private SourceIdentity(String table, String key, String lake, StateFile file, Optional<Position> watermark)
            throws IOException {
        this.table = table;
        this.key = key;
        this.lake = lake;
        this.file = file;
        this.recorded = LakeSource.read(file);
        this.published = watermark.flatMap(SourceIdentity::lastOrder);
    }

    /** Change capture mode: the change table of {@code table}, recorded in the change history at {@code history}. */
    static SourceIdentity ofChanges(String table, String history, StateFile file) throws IOException {
        return new SourceIdentity(ChangeEvent.table(table), ChangeEvent.CHANGE_ID, history, file, Optional.empty());
    }

    /**
     * The order a position names, in insert mode. A change names none to check later: an order
     * updated or deleted since would look like a reset, so in change capture mode a reset is told
     * by the sequence alone.
     */
    private static Optional<LakeSource.Order> lastOrder(Position p) {
        return p instanceof Watermark w ? Optional.of(new LakeSource.Order(w.orderId(), w.createdAt())) : Optional.empty();
    }

    /** Looks at the source through {@code c}: the problems, one line each; empty when it is the lake's source. */
    List<String> problems(Connection c) throws SQLException {
        seen = LakeSource.Live.read(c, table, key);
        List<String> problems = new ArrayList<>();
        if (seen.sequence().isPresent() && !seen.sequenceReadable()) {
            problems.add("the producer's role cannot read the " + key + " sequence " + seen.sequence().get() + ", which "
                    + "tells a reset table from a growing one; run: GRANT SELECT ON SEQUENCE " + seen.sequence().get()
                    + " TO " + quote(currentUser(c)));
        } else if (seen.sequence().isEmpty() && !warnedNoSequence) {
            warnedNoSequence = true;
            LOG.warn("{}.{} has no sequence: a reset of the table is told only by its last published order", table, key);
        }
        if (problems.isEmpty()) {
            changed(c, lakeRecord()).ifPresent(problems::add);
        }
        return problems;
    }

    /** The lake's record; without one yet (a lake of an earlier version), what the watermark tells. */
    private LakeSource lakeRecord() {
        return recorded.orElseGet(() -> new LakeSource(seen.systemIdentifier(), table, seen.tableOid(),
                published.map(LakeSource.Order::orderId).orElse(-1L), published));
    }

    /** Records the source as last seen, with what a batch published ({@code batch}), if one did. */
    void record(Optional<SourceDatabase.Batch> batch) throws IOException {
        if (seen == null) {
            return;
        }
        LakeSource next = lakeRecord().updatedBy(new LakeSource(seen.systemIdentifier(), table, seen.tableOid(),
                batch.map(SourceDatabase.Batch::maxKey).orElse(-1L),
                batch.flatMap(b -> lastOrder(b.last()))));
        if (recorded.isEmpty()) {
            LOG.info("Recorded the source of the lake {}: cluster {}, table {} (OID {})", lake, next.systemIdentifier(),
                    table, next.tableOid());
        }
        if (!recorded.equals(Optional.of(next))) {
            next.write(file);
            recorded = Optional.of(next);
        }
    }

    /** The lake's record of its source: the file. */
    @Override
    public String toString() {
        return file.toString();
    }

    /** What differs between the lake's source and the one seen now, with what to do. */
    private Optional<String> changed(Connection c, LakeSource lakes) throws SQLException {
        boolean changes = !key.equals(OrderEvent.ORDER_ID);
        String reused = changes ? "its new changes would reuse change_ids the history holds and be dropped as copies"
                : REUSED;
        // scripts/accept_source.sh records an orders lake's source; a change history's is not its to move.
        String moved = changes ? ". Start a new pipeline: " + NEW_LAKE
                : ". If it holds the same data moved (a dump and restore, pg_upgrade, a snapshot restore), run "
                + "scripts/accept_source.sh with the producer's config; otherwise start a new lake: " + NEW_LAKE;
        String reset = changes ? ": the change table was reset (its sequence set back, a restore from an older backup) and "
                + reused + ". " : RESET;
        if (!lakes.systemIdentifier().equals(seen.systemIdentifier())) {
            return Optional.of("postgres.jdbc_url reaches another PostgreSQL cluster (system identifier "
                    + seen.systemIdentifier() + ") than the lake " + lake + " was built from ("
                    + lakes.systemIdentifier() + "): " + reused + moved);
        }
        if (lakes.tableOid() != seen.tableOid()) {
            return Optional.of("table " + table + " was created anew (OID " + seen.tableOid() + "; the lake " + lake
                    + " was built from OID " + lakes.tableOid() + "): " + reused + moved);
        }
        if (seen.nextOrderId().isPresent() && seen.nextOrderId().getAsLong() <= lakes.highWaterMark()) {
            String seq = seen.sequence().orElseThrow();
            return Optional.of("the " + key + " sequence " + seq + " of " + table + " would hand out "
                    + seen.nextOrderId().getAsLong() + " next, not above " + lakes.highWaterMark() + " which the lake "
                    + lake + " holds" + reset + "If its rows are the lake's (a restore from an older backup), move the "
                    + "sequence on: SELECT setval('" + seq + "', " + lakes.highWaterMark() + "); otherwise start a new "
                    + "lake: " + NEW_LAKE);
        }
        if (lakes.lastOrder().isPresent()) {
            LakeSource.Order last = lakes.lastOrder().get();
            Optional<LocalDateTime> createdAt = LakeSource.createdAtNow(c, table, last.orderId());
            if (createdAt.isPresent() && !createdAt.get().equals(last.createdAt())) {
                return Optional.of("order_id " + last.orderId() + " of " + table + " is another order now (created_at "
                        + createdAt.get() + "; the lake " + lake + " holds it with created_at " + last.createdAt()
                        + ")" + RESET + "Start a new lake: " + NEW_LAKE);
            }
        }
        return Optional.empty();
    }

    private static String currentUser(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT current_user"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}

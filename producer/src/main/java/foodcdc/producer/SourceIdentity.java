package foodcdc.producer;

import static foodcdc.sql.SqlIdentifier.quote;

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
 * silently. So the producer looks before every poll (a few lookups in catalogs and the primary
 * key) and stops with one line saying what changed and what to run.
 *
 * <p>A reset is seen either way round: while the new sequence is behind the highest value the
 * lake has seen, by the sequence; once it has passed the last order published, by that
 * order_id, which now names an order with another created_at. The first producer on a lake
 * records the source; every published batch records how far the sequence came and its last order.
 */
final class SourceIdentity {
    private static final Logger LOG = LoggerFactory.getLogger(SourceIdentity.class);
    private static final String NEW_LAKE = "start a new lake: point datalake.path, "
            + "streaming.checkpoint_location and streaming.last_processed_timestamp_location at new folders";
    private static final String REUSED = "its new orders would reuse order_ids the lake holds and be dropped as copies";

    private final String table;
    private final String lake;
    private final StateFile file;
    private Optional<LakeSource> recorded;
    /** What the last look saw, recorded once a batch is published. */
    private LakeSource seen;
    private Optional<String> sequence = Optional.empty();

    /** The source of the lake at {@code lake}, recorded in {@code file} (if it is recorded yet). */
    SourceIdentity(String table, String lake, StateFile file) throws IOException {
        this.table = table;
        this.lake = lake;
        this.file = file;
        this.recorded = LakeSource.read(file);
    }

    /**
     * Looks at the source through {@code c}; {@code connected} when it is a new connection. The
     * problems, one line each; empty when it is the lake's source.
     */
    List<String> problems(Connection c, boolean connected) throws SQLException {
        List<String> problems = new ArrayList<>();
        if (connected || seen == null) {
            sequence = LakeSource.sequence(c, table);
            if (sequence.isPresent() && !mayRead(c, sequence.get())) {
                problems.add("the producer's role cannot read the order_id sequence " + sequence.get() + ", which tells "
                        + "a reset table from a growing one; run: GRANT SELECT ON SEQUENCE " + sequence.get() + " TO "
                        + quote(currentUser(c)));
            }
            if (sequence.isEmpty()) {
                LOG.warn("{}.order_id has no sequence: a reset of the table is told only by its last published order",
                        table);
            }
        }
        seen = LakeSource.live(c, table, Optional.empty());
        if (problems.isEmpty() && recorded.isPresent()) {
            changed(c, recorded.get(), seen).ifPresent(problems::add);
        }
        return problems;
    }

    /** Records the source as last seen, with the last order of a published batch if there is one. */
    void record(Optional<Watermark> published) throws IOException {
        if (seen == null) {
            return;
        }
        LakeSource now = new LakeSource(seen.systemIdentifier(), table, seen.tableOid(), seen.highWaterMark(),
                published.map(w -> new LakeSource.Order(w.orderId(), w.createdAt())));
        LakeSource next = recorded.map(r -> r.updatedBy(now)).orElse(now);
        if (recorded.isEmpty()) {
            LOG.info("Recorded the source of the lake {}: cluster {}, table {} (OID {}), order_id sequence at {}", lake,
                    next.systemIdentifier(), table, next.tableOid(), next.highWaterMark());
        }
        if (!recorded.equals(Optional.of(next))) {
            next.write(file);
            recorded = Optional.of(next);
        }
    }

    /** What differs between the lake's source and the one seen now, with what to do. */
    private Optional<String> changed(Connection c, LakeSource lakes, LakeSource now) throws SQLException {
        String moved = ". If it holds the same data moved (a dump and restore, pg_upgrade, a snapshot restore), run "
                + "scripts/accept_source.sh with the producer's config; otherwise " + NEW_LAKE;
        if (!lakes.systemIdentifier().equals(now.systemIdentifier())) {
            return Optional.of("postgres.jdbc_url reaches another PostgreSQL cluster (system identifier "
                    + now.systemIdentifier() + ") than the lake " + lake + " was built from ("
                    + lakes.systemIdentifier() + "): " + REUSED + moved);
        }
        if (lakes.tableOid() != now.tableOid()) {
            return Optional.of("table " + table + " was created anew (OID " + now.tableOid() + "; the lake " + lake
                    + " was built from OID " + lakes.tableOid() + "): " + REUSED + moved);
        }
        String reset = ": the table was reset (TRUNCATE … RESTART IDENTITY, a restore from an older backup) and "
                + REUSED + ". ";
        if (now.highWaterMark() >= 0 && now.highWaterMark() < lakes.highWaterMark()) {
            String seq = sequence.orElse("?");
            return Optional.of("the order_id sequence " + seq + " of " + table + " is at " + now.highWaterMark()
                    + ", behind " + lakes.highWaterMark() + " which the lake " + lake + " has seen" + reset
                    + "If its rows are the lake's (a restore from an older backup), move the sequence on: SELECT "
                    + "setval('" + seq + "', " + lakes.highWaterMark() + "); otherwise " + NEW_LAKE);
        }
        if (lakes.lastOrder().isPresent()) {
            LakeSource.Order last = lakes.lastOrder().get();
            Optional<LocalDateTime> createdAt = LakeSource.createdAtNow(c, table, last.orderId());
            if (createdAt.isPresent() && !createdAt.get().equals(last.createdAt())) {
                return Optional.of("order_id " + last.orderId() + " of " + table + " is another order now (created_at "
                        + createdAt.get() + "; the lake " + lake + " holds it with created_at " + last.createdAt()
                        + ")" + reset + "Start a new lake: " + NEW_LAKE.substring("start a new lake: ".length()));
            }
        }
        return Optional.empty();
    }

    private static boolean mayRead(Connection c, String sequence) {
        try (PreparedStatement s = c.prepareStatement("SELECT has_sequence_privilege(?, 'SELECT')")) {
            s.setString(1, sequence);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private static String currentUser(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT current_user"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}

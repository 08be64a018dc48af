package foodcdc.producer;

import foodcdc.stack.Wait;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * What the producer's own PostgreSQL session is doing, as {@code pg_stat_activity} shows it
 * (application {@value SourceDatabase#APPLICATION_NAME}): for tests that must know a poll has
 * happened before they assert what it did not publish.
 */
final class ProducerSession {
    /**
     * A poll's statements start milliseconds apart; polls are {@code batch_interval} (1 s in the
     * tests) apart, or a publish's length when there is a backlog. Statements further apart than
     * this belong to different polls.
     */
    private static final Duration BETWEEN_POLLS = Duration.ofMillis(500);

    private ProducerSession() {
    }

    /**
     * Waits until the producer has run one whole poll that began after {@code since} (the
     * database's clock): its session has started statements in three separate polls since then.
     * The second of them read the horizon after {@code since} and had published whatever it
     * would before the third began. (It starts at least 500 ms after {@code since}, so its
     * horizon, at most 250 ms behind its clock, is past anything committed before {@code since}.)
     * Assumes one producer on the database, whose poll's statements are not held up (a lock).
     */
    static void awaitWholePollAfter(Statement s, OffsetDateTime since, Duration timeout) throws Exception {
        List<OffsetDateTime> pollStarts = new ArrayList<>();
        Wait.every(Duration.ofMillis(100)).look(() -> {
            OffsetDateTime latest = latestStatementStart(s);
            if (latest != null && latest.isAfter(since) && (pollStarts.isEmpty()
                    || Duration.between(pollStarts.get(pollStarts.size() - 1), latest).compareTo(BETWEEN_POLLS) >= 0)) {
                pollStarts.add(latest);
            }
            return pollStarts;
        }, starts -> starts.size() >= 3, timeout, "three polls of the producer after " + since);
    }

    /** The database's clock now. */
    static OffsetDateTime now(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }

    /** Waits until a statement of the producer waits for a lock (a poll blocked by a table lock). */
    static void awaitWaitingForALock(Statement s, Duration timeout) throws Exception {
        Wait.every(Duration.ofMillis(100)).look(() -> {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                    + SourceDatabase.APPLICATION_NAME + "' AND wait_event_type = 'Lock'")) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }, timeout, "the producer's poll to wait for the locked table");
    }

    private static OffsetDateTime latestStatementStart(Statement s) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT max(query_start) FROM pg_stat_activity WHERE application_name = '"
                + SourceDatabase.APPLICATION_NAME + "'")) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class);
        }
    }
}

package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LongTransactionWarningTest {
    private static final LocalDateTime START = LocalDateTime.parse("2026-12-01T02:00:00.123456");
    private final LongTransactionWarning w = new LongTransactionWarning();

    private static SourceDatabase.OpenTransaction dump(int pid, LocalDateTime start) {
        return new SourceDatabase.OpenTransaction(pid, "pg_dump", start, "10.0.0.7", start, start.plusNanos(2_000_000),
                "active", "COPY public.\"ROLL001_orders\" (order_id, customer_name, resta");
    }

    @Test
    void shouldNameTheHolderOnceItIsOpenThirtySecondsThenEveryMinute() {
        SourceDatabase.OpenTransaction t = dump(4242, START);
        assertEquals(Optional.empty(), w.due(t, START.plusSeconds(29)));
        assertEquals(Optional.of("Rows created after 2026-12-01T02:00:00.123456 wait for a transaction open for 30 s "
                + "(pid 4242, application 'pg_dump', client 10.0.0.7, xact_start 2026-12-01T02:00:00.123456, "
                + "query_start 2026-12-01T02:00:00.125456, state active, "
                + "query 'COPY public.\"ROLL001_orders\" (order_id, customer_name, resta'); they are published once it "
                + "ends (any open transaction holds them back, read-only ones too: see docs/OPERATIONS.md)"),
                w.due(t, START.plusSeconds(30).plusNanos(500_000)));
        assertEquals(Optional.empty(), w.due(t, START.plusSeconds(89)));
        assertTrue(w.due(t, START.plusSeconds(91)).orElseThrow().contains("open for 91 s (pid 4242,"));
    }

    @Test
    void shouldNameAnotherHolderAtOnceAndSayWhatABackendDoesNotReport() {
        w.due(dump(4242, START), START.plusSeconds(40));
        SourceDatabase.OpenTransaction walsender = new SourceDatabase.OpenTransaction(77, "it-replication-client",
                START.plusSeconds(5), null, null, null, "idle in transaction", "INSERT INTO t VALUES (1)");
        assertTrue(w.due(walsender, START.plusSeconds(41)).orElseThrow().contains("open for 36 s (pid 77, "
                + "application 'it-replication-client', client none, xact_start not reported, query_start not reported, "
                + "state idle in transaction, query 'INSERT INTO t VALUES (1)')"));
        // The same session's next transaction is another one.
        assertTrue(w.due(dump(4242, START.plusSeconds(2)), START.plusSeconds(42)).isPresent());
    }

    @Test
    void shouldTimeAWalsenderFromTheFirstPollItHeldBackThoughEachStatementMovesItsStateChange() {
        for (int s = 0; s <= 25; s += 5) {   // a statement every 5 s, each a new state_change
            assertEquals(Optional.empty(), w.due(walsender(START.plusSeconds(s)), START.plusSeconds(s + 1)));
        }
        assertTrue(w.due(walsender(START.plusSeconds(30)), START.plusSeconds(31)).orElseThrow()
                .contains("open for 31 s (pid 77,"));
        w.none();   // its transaction ended: the next one is timed anew
        assertEquals(Optional.empty(), w.due(walsender(START.plusSeconds(100)), START.plusSeconds(101)));
    }

    private static SourceDatabase.OpenTransaction walsender(LocalDateTime stateChange) {
        return new SourceDatabase.OpenTransaction(77, "it-replication-client", stateChange, null, null, null,
                "idle in transaction", "INSERT INTO t VALUES (1)");
    }
}

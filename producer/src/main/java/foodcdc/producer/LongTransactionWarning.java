package foodcdc.producer;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When the producer WARNs about the transaction that holds the horizon back, and what it says:
 * once that transaction has been open for 30 s (so well within its first minute), then at most
 * once a minute while it is still the one. Another transaction that takes its place (open 30 s
 * too) is named at once. Any open transaction counts, read-only ones too ({@link IncrementalQuery#horizon()}).
 */
final class LongTransactionWarning {
    static final Duration FIRST_AFTER = Duration.ofSeconds(30);
    static final Duration AGAIN_AFTER = Duration.ofMinutes(1);

    /** The transaction last named (a later one of the same session has another xact_start), and when. */
    private int warnedPid;
    private LocalDateTime warnedXactStart;
    private LocalDateTime warnedAt;
    /** A holder without xact_start, and since when polls have seen it hold rows back. */
    private int heldPid;
    private LocalDateTime heldSince;

    /** No transaction holds rows back at this poll. */
    void none() {
        heldSince = null;
    }

    /** The WARN to log at {@code now} (UTC wall-clock) about {@code t}, if one is due. */
    Optional<String> due(SourceDatabase.OpenTransaction t, LocalDateTime now) {
        LocalDateTime since = t.since();
        if (t.xactStart() == null) {
            // A walsender reports no xact_start, and its "since" (its last state change) moves
            // with each statement: time it from the first poll it held back, or it is never named.
            if (heldPid == t.pid() && heldSince != null && heldSince.isBefore(since)) {
                since = heldSince;
            }
            heldPid = t.pid();
            heldSince = since;
        } else {
            heldSince = null;
        }
        Duration open = Duration.between(since, now);
        if (open.compareTo(FIRST_AFTER) < 0) {
            return Optional.empty();
        }
        boolean same = warnedAt != null && warnedPid == t.pid() && Objects.equals(warnedXactStart, t.xactStart());
        if (same && now.isBefore(warnedAt.plus(AGAIN_AFTER))) {
            return Optional.empty();
        }
        warnedPid = t.pid();
        warnedXactStart = t.xactStart();
        warnedAt = now;
        return Optional.of("Rows created after " + Watermark.ISO_MICROS.format(since)
                + " wait for a transaction open for " + open.toSeconds() + " s (" + t.describe()
                + "); they are published once it ends (any open transaction holds them back, read-only ones "
                + "too: see docs/OPERATIONS.md)");
    }
}

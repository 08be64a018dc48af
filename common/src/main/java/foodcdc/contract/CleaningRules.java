package foodcdc.contract;

import static foodcdc.contract.OrderEvent.AMOUNT;
import static foodcdc.contract.OrderEvent.CREATED_AT;
import static foodcdc.contract.OrderEvent.ORDER_ID;
import static org.apache.spark.sql.functions.when;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import org.apache.spark.sql.Column;

/**
 * The contract's cleaning rules: which records may not enter the lake, and the reason each is
 * quarantined for. The consumer applies them ({@code OrderCleaning}); the validator judges
 * PostgreSQL's rows by the same rules, so both always agree on what is valid.
 */
public final class CleaningRules {
    /** Columns of the quarantine's files besides Kafka's: why, and the payload as text. */
    public static final String REASON = "reason";
    public static final String PAYLOAD = "payload";

    /** An event is ~300 bytes; anything past this is not an order and is not parsed. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private CleaningRules() {
    }

    /**
     * Why a record is quarantined, in the order the reasons are checked: the first that applies
     * is the one recorded, as its {@link #code} ({@code null_amount}).
     */
    public enum Reason {
        EMPTY_PAYLOAD, PAYLOAD_TOO_LARGE, INVALID_UTF8, MALFORMED_JSON, MISSING_FIELD, UNEXPECTED_FIELD,
        NULL_ORDER_ID, NULL_AMOUNT, NEGATIVE_AMOUNT, NULL_CREATED_AT,
        /** Change capture mode only: a change event's own fields (after the order's value rules). */
        UNKNOWN_OP, NULL_CHANGE_ID, NULL_CHANGED_AT,
        KEY_NOT_ORDER_ID;

        public final String code = name().toLowerCase(Locale.ROOT);
    }

    /**
     * The rules on an order's values, once it parsed as the contract's seven fields, in the order
     * they are checked. Each is read two ways: as a Spark column over the fields (the consumer)
     * and over plain Java values (the validator, for PostgreSQL's rows). A rule is broken by a
     * missing value unless it says otherwise.
     */
    public enum ValueRule {
        ORDER_ID_PRESENT(Reason.NULL_ORDER_ID, ORDER_ID),
        AMOUNT_PRESENT(Reason.NULL_AMOUNT, AMOUNT),
        AMOUNT_NOT_NEGATIVE(Reason.NEGATIVE_AMOUNT, AMOUNT) {
            // A missing amount is AMOUNT_PRESENT's to report.
            @Override
            Column brokenBy(Column amount) {
                return amount.lt(0);
            }

            @Override
            boolean brokenBy(Object amount) {
                return amount instanceof BigDecimal a && a.signum() < 0;
            }
        },
        CREATED_AT_PRESENT(Reason.NULL_CREATED_AT, CREATED_AT);

        private final Reason reason;
        private final String field;

        ValueRule(Reason reason, String field) {
            this.reason = reason;
            this.field = field;
        }

        /** True where the field's value breaks this rule: a Spark column. */
        Column brokenBy(Column value) {
            return value.isNull();
        }

        /** Whether the field's value (as JDBC or Spark hand it over) breaks this rule. */
        boolean brokenBy(Object value) {
            return value == null;
        }

        /** The reason of the first rule {@code fields} break, or null: a Spark column. */
        public static Column reasonColumn(Function<String, Column> fields) {
            Column reason = null;
            for (ValueRule r : values()) {
                Column broken = r.brokenBy(fields.apply(r.field));
                reason = reason == null ? when(broken, r.reason.code) : reason.when(broken, r.reason.code);
            }
            return reason;
        }

        /** The reason of the first rule the field values break, or null when they break none. */
        public static String reasonFor(Function<String, ?> values) {
            return Arrays.stream(values()).filter(r -> r.brokenBy(values.apply(r.field))).map(r -> r.reason.code)
                    .findFirst().orElse(null);
        }
    }
}

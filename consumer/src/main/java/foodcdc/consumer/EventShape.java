package foodcdc.consumer;

import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.contract.CleaningRules.Reason;
import foodcdc.contract.CleaningRules.ValueRule;
import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeLayout;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * What the consumer reads and writes in each capture mode ({@code streaming.capture}): the
 * event's fields and lake columns, the key that tells copies apart, and the timestamp whose UTC
 * day partitions the lake. Insert mode: {@link OrderEvent}s into {@code datalake.path}, one row
 * per order_id, by created_at. Change capture mode: {@link ChangeEvent}s into the change
 * history {@code <datalake.path>_changes}, one row per change_id (an order has many), by
 * changed_at.
 */
enum EventShape {
    ORDERS(OrderEvent.names(), OrderEvent.Spark.schema(), OrderEvent.ORDER_ID, OrderEvent.CREATED_AT),
    CHANGES(ChangeEvent.names(), ChangeEvent.Spark.schema(), ChangeEvent.CHANGE_ID, ChangeEvent.CHANGED_AT);

    /** The event's fields, in its order; the lake's columns (then {@code date}). */
    final List<String> names;
    /** The lake's columns and types (without {@code date}). */
    final StructType schema;
    /** The column that identifies a record: its copies share it, and the lake holds it once. */
    final String key;
    /** The timestamp whose UTC day is the lake's {@code date} partition. */
    final String dateField;

    EventShape(List<String> names, StructType schema, String key, String dateField) {
        this.names = names;
        this.schema = schema;
        this.key = key;
        this.dateField = dateField;
    }

    /** The shape of {@code streaming.capture}'s mode. */
    static EventShape of(boolean capturesChanges) {
        return capturesChanges ? CHANGES : ORDERS;
    }

    /** {@code streaming.capture}'s value for this shape's mode. */
    String capture() {
        return this == CHANGES ? PipelineConfig.Streaming.CHANGES : "inserts";
    }

    /** The op letters of this shape's events (change events: r, c, u, d; an order has none). */
    List<String> ops() {
        return this == CHANGES ? Arrays.stream(ChangeEvent.Op.values()).map(o -> o.letter).toList() : List.of();
    }

    /** Where this mode's lake is: {@code datalake.path}, or the change history beside it. */
    String lakePath(String datalakePath) {
        return this == CHANGES ? LakeLayout.changeHistory(datalakePath) : datalakePath;
    }

    /** JSON text parsed as this shape's event, leniently (a corrupt record lands in {@code corruptColumn}). */
    Column fromJson(Column text, String corruptColumn) {
        return this == CHANGES ? ChangeEvent.Spark.fromJson(text, corruptColumn)
                : OrderEvent.Spark.fromJson(text, corruptColumn);
    }

    /**
     * The reason of the first value rule the event breaks ({@link ValueRule}), or null. A delete
     * is judged by its order_id only: it carries the row as it was, and a row that broke a rule
     * (quarantined when it was written) must still be deleted from the current state.
     */
    Column valueReason(Function<String, Column> fields) {
        Column rules = ValueRule.reasonColumn(fields);
        if (this != CHANGES) {
            return rules;
        }
        return when(fields.apply(ChangeEvent.OP).eqNullSafe(ChangeEvent.Op.DELETE.letter),
                when(fields.apply(OrderEvent.ORDER_ID).isNull(), Reason.NULL_ORDER_ID.code)).otherwise(rules);
    }

    /**
     * The reason of the first rule a change's own fields break (an op that is not r, c, u or d;
     * no change_id; no changed_at), or null; always null for an order event. Checked after the
     * order's value rules, which apply to a change's seven fields alike.
     */
    Column changeReason(Function<String, Column> fields) {
        if (this != CHANGES) {
            return functions.lit(null).cast("string");
        }
        Column op = fields.apply(ChangeEvent.OP);
        Column knownOp = op.isin(List.of(ChangeEvent.Op.values()).stream().map(o -> o.letter).toArray());
        return when(op.isNull().or(functions.not(knownOp)), Reason.UNKNOWN_OP.code)
                .when(fields.apply(ChangeEvent.CHANGE_ID).isNull(), Reason.NULL_CHANGE_ID.code)
                .when(fields.apply(ChangeEvent.CHANGED_AT).isNull(), Reason.NULL_CHANGED_AT.code);
    }

    /** The UTC day of an event (the session time zone is UTC: SparkSessions). */
    Column date(Function<String, Column> fields) {
        return to_date(fields.apply(dateField));
    }
}

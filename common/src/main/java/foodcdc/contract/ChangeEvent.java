package foodcdc.contract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Kafka event of one change of an order, in change capture mode ({@code streaming.capture:
 * changes}): the second event shape beside {@link OrderEvent}. Key = order_id as text, so an
 * order's changes stay in one partition; value = one JSON object with the seven order fields
 * (after the change; before it, for a delete), written exactly as in an {@link OrderEvent},
 * then {@code op} ({@code r} a row captured by the snapshot, {@code c} insert, {@code u}
 * update, {@code d} delete, as Debezium spells them), {@code change_id} (a JSON number; it
 * orders an order's changes, and identifies the change) and {@code changed_at} (ISO-8601 UTC
 * with microseconds and a {@code Z}, like created_at).
 */
public final class ChangeEvent {
    public static final String OP = "op";
    public static final String CHANGE_ID = "change_id";
    public static final String CHANGED_AT = "changed_at";

    private static final List<String> NAMES = buildNames();

    private ChangeEvent() {
    }

    /** What a change did, with its {@code op} letter. */
    public enum Op {
        SNAPSHOT("r"), CREATE("c"), UPDATE("u"), DELETE("d");

        public final String letter;

        Op(String letter) {
            this.letter = letter;
        }

        public static Optional<Op> of(String letter) {
            for (Op op : values()) {
                if (op.letter.equals(letter)) {
                    return Optional.of(op);
                }
            }
            return Optional.empty();
        }
    }

    private static List<String> buildNames() {
        List<String> names = new ArrayList<>(OrderEvent.names());
        names.addAll(List.of(OP, CHANGE_ID, CHANGED_AT));
        return List.copyOf(names);
    }

    /** The ten names, in the event's order: the seven order fields, then op, change_id, changed_at. */
    /** The change table db/changes.sql makes for the orders table {@code table}. */
    public static String table(String table) {
        return table + "_changes";
    }

    public static List<String> names() {
        return NAMES;
    }

    /** The Spark forms, apart so that loading {@link ChangeEvent} never needs Spark. */
    public static final class Spark {
        private static final StructType SCHEMA = OrderEvent.Spark.schema()
                .add(OP, DataTypes.StringType)
                .add(CHANGE_ID, DataTypes.LongType)
                .add(CHANGED_AT, DataTypes.TimestampType);

        private Spark() {
        }

        /** The ten fields with their lake types. */
        public static StructType schema() {
            return SCHEMA;
        }

        /** Rows holding the ten columns to Kafka records: {@code key} (order_id as text), {@code value} (the JSON). */
        public static Dataset<Row> toKafkaRecords(Dataset<Row> changes) {
            Column[] fields = names().stream().map(n -> col(n)).toArray(Column[]::new);
            return changes.select(col(OrderEvent.ORDER_ID).cast("string").as("key"),
                    to_json(struct(fields), OrderEvent.WRITE_OPTIONS).as("value"));
        }

        /** JSON text parsed as a change event, leniently, as {@link OrderEvent.Spark#fromJson} does. */
        public static Column fromJson(Column text, String corruptColumn) {
            return from_json(text, schema().add(corruptColumn, DataTypes.StringType), Map.of(
                    "mode", "PERMISSIVE",
                    "columnNameOfCorruptRecord", corruptColumn,
                    "timestampFormat", OrderEvent.READ_TIMESTAMP_FORMAT));
        }
    }
}

package foodcdc.producer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The Kafka event of one order (SPEC.md section 2): key = order_id as a string, value = a JSON
 * object with exactly the seven columns. Two Spark defaults are overridden on purpose: null
 * columns stay as JSON null (to_json drops them), and created_at keeps its microseconds and
 * says it is UTC ({@code 2025-11-18T12:24:00.000000Z}; to_json would cut it to milliseconds).
 */
final class OrderEvents {
    static final String[] FIELDS =
            {"order_id", "customer_name", "restaurant_name", "item", "amount", "order_status", "created_at"};

    /** created_at is read as a timestamp without time zone holding UTC wall-clock time. */
    private static final Map<String, String> JSON_OPTIONS = Map.of(
            "ignoreNullFields", "false",
            "timestampNTZFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'",
            "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    private OrderEvents() {
    }

    /** Rows of the source table to Kafka records ({@code key}, {@code value}). */
    static Dataset<Row> toKafkaRecords(Dataset<Row> orders) {
        var columns = java.util.Arrays.stream(FIELDS).map(f -> col(f)).toArray(org.apache.spark.sql.Column[]::new);
        return orders.select(
                col("order_id").cast("string").as("key"),
                to_json(struct(columns), JSON_OPTIONS).as("value"));
    }
}

package foodcdc.contract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Kafka event of one order, the contract between the producer, the consumer and anyone else
 * who reads the topic: key = order_id as text; value = one JSON object with exactly the seven
 * {@link #FIELDS}, each present (a NULL column is JSON null), amount a JSON number, created_at
 * ISO-8601 UTC with microseconds and a {@code Z} ({@code 2025-11-18T12:24:00.000000Z}). The
 * same seven names are the source table's columns and the lake's, with the lake types below.
 *
 * <p>{@link Spark} holds its Spark forms: the lake schema, the JSON written and read.
 */
public final class OrderEvent {
    public static final String ORDER_ID = "order_id";
    public static final String CUSTOMER_NAME = "customer_name";
    public static final String RESTAURANT_NAME = "restaurant_name";
    public static final String ITEM = "item";
    public static final String AMOUNT = "amount";
    public static final String ORDER_STATUS = "order_status";
    public static final String CREATED_AT = "created_at";

    /** The fields in the contract's order, with their types. */
    public static final List<Field> FIELDS = List.of(
            new Field(ORDER_ID, Type.INTEGER),
            new Field(CUSTOMER_NAME, Type.TEXT),
            new Field(RESTAURANT_NAME, Type.TEXT),
            new Field(ITEM, Type.TEXT),
            new Field(AMOUNT, Type.AMOUNT),
            new Field(ORDER_STATUS, Type.TEXT),
            new Field(CREATED_AT, Type.TIMESTAMP));

    private static final List<String> NAMES = FIELDS.stream().map(Field::name).toList();

    /** created_at in the JSON: UTC wall-clock time, always six fraction digits, and a Z. */
    public static final String TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'";

    /**
     * Two Spark defaults are overridden when writing: null columns stay as JSON null (to_json
     * drops them), and created_at keeps its microseconds (to_json cuts them to milliseconds). It
     * is read as a timestamp without time zone holding UTC wall-clock time.
     */
    static final Map<String, String> WRITE_OPTIONS = Map.of(
            "ignoreNullFields", "false",
            "timestampNTZFormat", TIMESTAMP_FORMAT,
            "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

    /** The contract's form when reading; fewer fraction digits are accepted too. */
    static final String READ_TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS][.SSS][XXX]";

    private OrderEvent() {
    }

    /** One field of the event. */
    public record Field(String name, Type type) {
    }

    /** The fields' types, with their SQL spelling (PostgreSQL's and DuckDB's alike). */
    public enum Type {
        INTEGER("INTEGER"), TEXT("VARCHAR"), AMOUNT("DECIMAL(10,2)"), TIMESTAMP("TIMESTAMP");

        private final String sql;

        Type(String sql) {
            this.sql = sql;
        }

        public String sql() {
            return sql;
        }
    }

    public static List<String> names() {
        return NAMES;
    }

    /** The order_id a Kafka key names (the key is the order_id as text); empty for any other key. */
    public static Optional<Integer> orderIdOfKey(String key) {
        if (key == null || !key.matches("-?\\d{1,10}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(key));
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
    }

    /** The seven names as a SQL select list: {@code order_id, customer_name, ...}. */
    public static String columnList() {
        return String.join(", ", names());
    }

    /**
     * The Spark forms of the contract, apart so that loading {@link OrderEvent} never needs
     * Spark: the stack's tools and the benchmark run without it.
     */
    public static final class Spark {
        private Spark() {
        }

        /** The fields with their lake types; a StructType is immutable, so it is built once. */
        private static final StructType SCHEMA = buildSchema();

        public static StructType schema() {
            return SCHEMA;
        }

        private static StructType buildSchema() {
            StructType schema = new StructType();
            for (Field f : FIELDS) {
                schema = schema.add(f.name(), type(f.type()));
            }
            return schema;
        }

        public static DataType type(Type type) {
            return switch (type) {
                case INTEGER -> DataTypes.IntegerType;
                case TEXT -> DataTypes.StringType;
                case AMOUNT -> DataTypes.createDecimalType(10, 2);
                case TIMESTAMP -> DataTypes.TimestampType;
            };
        }

        /** Rows holding the seven columns to Kafka records: {@code key} (order_id as text), {@code value} (the JSON). */
        public static Dataset<Row> toKafkaRecords(Dataset<Row> orders) {
            Column[] fields = names().stream().map(n -> col(n)).toArray(Column[]::new);
            return orders.select(col(ORDER_ID).cast("string").as("key"),
                    to_json(struct(fields), WRITE_OPTIONS).as("value"));
        }

        /**
         * JSON text parsed as the event, leniently (Spark's PERMISSIVE mode): input that does not
         * parse gives a struct whose {@code corruptColumn} holds it, a value of a wrong type a null.
         */
        public static Column fromJson(Column text, String corruptColumn) {
            StructType schema = schema().add(corruptColumn, DataTypes.StringType);
            return from_json(text, schema, Map.of(
                    "mode", "PERMISSIVE",
                    "columnNameOfCorruptRecord", corruptColumn,
                    "timestampFormat", READ_TIMESTAMP_FORMAT));
        }
    }
}

package foodcdc.consumer;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Parsing and cleaning of the order events, as pure functions of Spark frames (no I/O), so they
 * are tested on small static frames. Every Kafka record gets a {@code reason}: null when it may
 * enter the lake, otherwise why it goes to the quarantine. Nothing is dropped silently.
 */
final class OrderCleaning {
    /** Reasons, in the order they are checked: the first that applies is the one recorded. */
    static final String EMPTY_PAYLOAD = "empty_payload";
    static final String PAYLOAD_TOO_LARGE = "payload_too_large";
    static final String INVALID_UTF8 = "invalid_utf8";
    static final String MALFORMED_JSON = "malformed_json";
    static final String MISSING_FIELD = "missing_field";
    static final String UNEXPECTED_FIELD = "unexpected_field";
    static final String NULL_ORDER_ID = "null_order_id";
    static final String NULL_AMOUNT = "null_amount";
    static final String NEGATIVE_AMOUNT = "negative_amount";
    static final String NULL_CREATED_AT = "null_created_at";
    static final String KEY_NOT_ORDER_ID = "key_not_order_id";

    /** An event is ~300 bytes; anything past this is not an order and is not parsed. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    static final String CORRUPT = "_corrupt_record";

    /** The event's fields with their lake types, plus Spark's column for unparseable input. */
    static final StructType EVENT = new StructType()
            .add("order_id", DataTypes.IntegerType)
            .add("customer_name", DataTypes.StringType)
            .add("restaurant_name", DataTypes.StringType)
            .add("item", DataTypes.StringType)
            .add("amount", DataTypes.createDecimalType(10, 2))
            .add("order_status", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampType)
            .add(CORRUPT, DataTypes.StringType);

    static final String[] FIELDS =
            {"order_id", "customer_name", "restaurant_name", "item", "amount", "order_status", "created_at"};

    private static final Map<String, String> JSON_OPTIONS = Map.of(
            "mode", "PERMISSIVE",
            "columnNameOfCorruptRecord", CORRUPT,
            // The contract's form (2025-11-18T12:24:00.000000Z); fewer fraction digits are accepted.
            "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss[.SSSSSS][.SSS][XXX]");

    private OrderCleaning() {
    }

    /**
     * Kafka rows ({@code value} binary, {@code topic}, {@code partition}, {@code offset}) to the
     * parsed event ({@code event} struct), the payload as text ({@code payload}) and a
     * {@code reason} that is null for valid events.
     */
    static Dataset<Row> classify(Dataset<Row> kafka) {
        Column text = col("value").cast("string");
        Column tooLarge = length(col("value")).gt(MAX_PAYLOAD_BYTES);
        // Bytes that are not UTF-8 decode to U+FFFD and so do not survive a round trip.
        Column notUtf8 = encode(text, "UTF-8").notEqual(col("value"));
        Dataset<Row> parsed = kafka
                .withColumn("payload", text)
                .withColumn("event", when(tooLarge.or(notUtf8), lit(null))
                        .otherwise(from_json(text, EVENT, JSON_OPTIONS)));
        Column e = col("event");
        // The contract is exactly seven fields, a NULL column as JSON null: a field left out or
        // one more is a producer that does not follow it, and its records are kept aside
        // rather than half-understood (an unknown field would otherwise vanish silently).
        Column fields = json_object_keys(col("payload"));
        Column expected = array(Stream.of(FIELDS).map(functions::lit).toArray(Column[]::new));
        // Kafka's key is the order_id as text: it decides the partition, so the copies of an
        // order stay in order. A record keyed otherwise did not come from the producer.
        Column keyIsId = col("key").cast("string").eqNullSafe(e.getField("order_id").cast("string"));
        // A null value (a tombstone) and a zero-byte value carry no order alike.
        Column reason = when(col("value").isNull().or(length(col("value")).equalTo(0)), EMPTY_PAYLOAD)
                .when(tooLarge, PAYLOAD_TOO_LARGE)
                .when(notUtf8, INVALID_UTF8)
                .when(e.isNull().or(e.getField(CORRUPT).isNotNull()), MALFORMED_JSON)
                .when(size(array_except(expected, fields)).gt(0), MISSING_FIELD)
                .when(size(array_except(fields, expected)).gt(0), UNEXPECTED_FIELD)
                .when(e.getField("order_id").isNull(), NULL_ORDER_ID)
                .when(e.getField("amount").isNull(), NULL_AMOUNT)
                .when(e.getField("amount").lt(0), NEGATIVE_AMOUNT)
                .when(e.getField("created_at").isNull(), NULL_CREATED_AT)
                .when(not(keyIsId), KEY_NOT_ORDER_ID);
        return parsed.withColumn("reason", reason);
    }

    /**
     * The valid events as lake rows: the seven fields with their types, and {@code date}, the
     * UTC day of created_at (the session time zone must be UTC; the job pins it).
     */
    static Dataset<Row> valid(Dataset<Row> classified) {
        Column[] columns = new Column[FIELDS.length + 1];
        for (int i = 0; i < FIELDS.length; i++) {
            columns[i] = col("event").getField(FIELDS[i]).as(FIELDS[i]);
        }
        columns[FIELDS.length] = to_date(col("event.created_at")).as("date");
        return classified.where(col("reason").isNull()).select(columns);
    }

    /** The rejected records with what an operator needs: payload, reason and where it came from. */
    static Dataset<Row> rejected(Dataset<Row> classified, Column ingestTime) {
        return classified.where(col("reason").isNotNull()).select(
                col("reason"),
                // A huge payload is kept whole in raw_value but not twice as text.
                when(length(col("value")).gt(MAX_PAYLOAD_BYTES), lit(null)).otherwise(col("payload")).as("payload"),
                col("value").as("raw_value"),
                col("key").cast("string").as("kafka_key"),
                col("topic"), col("partition"), col("offset"),
                col("timestamp").as("kafka_timestamp"),
                ingestTime.as("ingest_time"));
    }
}

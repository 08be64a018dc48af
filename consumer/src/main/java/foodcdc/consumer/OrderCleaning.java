package foodcdc.consumer;

import static foodcdc.contract.CleaningRules.MAX_PAYLOAD_BYTES;
import static foodcdc.contract.CleaningRules.PAYLOAD;
import static foodcdc.contract.CleaningRules.REASON;
import static foodcdc.contract.OrderEvent.ORDER_ID;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_except;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.encode;
import static org.apache.spark.sql.functions.json_object_keys;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import foodcdc.contract.ChangeEvent;
import foodcdc.contract.CleaningRules;
import foodcdc.contract.CleaningRules.Reason;
import foodcdc.lake.LakeLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Parsing and cleaning of the order events, as pure functions of Spark frames (no I/O), so they
 * are tested on small static frames. Every Kafka record gets a {@code reason}: null when it may
 * enter the lake, otherwise why it goes to the quarantine ({@link CleaningRules}, the contract's
 * reasons and value rules). Nothing is dropped silently.
 */
public final class OrderCleaning {
    /** Spark's column for input that does not parse as the event. */
    static final String CORRUPT = "_corrupt_record";

    private OrderCleaning() {
    }

    /**
     * Kafka rows ({@code value} binary, {@code topic}, {@code partition}, {@code offset}) to the
     * parsed event ({@code event} struct), the payload as text ({@code payload}) and a
     * {@code reason} that is null for valid events.
     */
    static Dataset<Row> classify(Dataset<Row> kafka) {
        return classify(kafka, EventShape.ORDERS);
    }

    /** {@link #classify(Dataset)} for the events of {@code shape}'s mode (change events: its rules too). */
    static Dataset<Row> classify(Dataset<Row> kafka, EventShape shape) {
        Column text = col("value").cast("string");
        Column tooLarge = length(col("value")).gt(MAX_PAYLOAD_BYTES);
        // Bytes that are not UTF-8 decode to U+FFFD and so do not survive a round trip.
        Column notUtf8 = encode(text, "UTF-8").notEqual(col("value"));
        Dataset<Row> parsed = kafka
                .withColumn(PAYLOAD, text)
                .withColumn("event", when(tooLarge.or(notUtf8), lit(null))
                        .otherwise(shape.fromJson(text, CORRUPT)));
        Column e = col("event");
        // The contract is exactly seven fields (ten for a change), a NULL column as JSON null: a field left out or
        // one more is a producer that does not follow it, and its records are kept aside
        // rather than half-understood (an unknown field would otherwise vanish silently).
        Column fields = json_object_keys(col(PAYLOAD));
        Column expected = array(shape.names.stream().map(functions::lit).toArray(Column[]::new));
        // Kafka's key is the order_id as text: it decides the partition, so the copies of an
        // order stay in order. A record keyed otherwise did not come from the producer.
        Column keyIsId = col("key").cast("string").eqNullSafe(e.getField(ORDER_ID).cast("string"));
        // A null value (a tombstone) and a zero-byte value carry no order alike.
        Column form = when(col("value").isNull().or(length(col("value")).equalTo(0)), Reason.EMPTY_PAYLOAD.code)
                .when(tooLarge, Reason.PAYLOAD_TOO_LARGE.code)
                .when(notUtf8, Reason.INVALID_UTF8.code)
                .when(e.isNull().or(e.getField(CORRUPT).isNotNull()), Reason.MALFORMED_JSON.code)
                .when(size(array_except(expected, fields)).gt(0), Reason.MISSING_FIELD.code)
                .when(size(array_except(fields, expected)).gt(0), Reason.UNEXPECTED_FIELD.code);
        // Each part is null when nothing in it applies: the first reason found is the one kept.
        Column reason = coalesce(form, shape.valueReason(e::getField), shape.changeReason(e::getField),
                when(not(keyIsId), Reason.KEY_NOT_ORDER_ID.code));
        return parsed.withColumn(REASON, reason);
    }

    /**
     * The valid events as lake rows: the seven fields with their types, and {@code date}, the
     * UTC day of created_at (the session time zone must be UTC; the job pins it).
     */
    static Dataset<Row> valid(Dataset<Row> classified) {
        return valid(classified, EventShape.ORDERS);
    }

    /** {@link #valid(Dataset)} for {@code shape}'s events: its columns, and {@code date} of its date field. */
    static Dataset<Row> valid(Dataset<Row> classified, EventShape shape) {
        List<String> names = shape.names;
        Column[] columns = new Column[names.size() + 1];
        for (int i = 0; i < names.size(); i++) {
            columns[i] = col("event").getField(names.get(i)).as(names.get(i));
        }
        columns[names.size()] = shape.date(col("event")::getField).as(LakeLayout.DATE);
        return classified.where(col(REASON).isNull()).select(columns);
    }

    /**
     * What a classified batch holds, in one Spark job: how many records, how many valid, the days
     * the valid ones fall on (sorted, as {@code YYYY-MM-DD}), their keys (order_ids, or change_ids)
     * and, in the same order, their date field ({@code created_at}, {@code changed_at}) in epoch
     * microseconds; the rejected by reason code and the valid by op (change capture mode; else
     * all under {@code ""}), for the metrics.
     */
    record BatchSummary(long records, long valid, List<String> dates, List<Long> validIds, List<Long> validMicros,
                        Map<String, Long> rejectedByReason, Map<String, Long> validByOp) {
        long rejected() {
            return records - valid;
        }
    }

    static BatchSummary summarize(Dataset<Row> classified, EventShape shape) {
        Column ok = col(REASON).isNull();
        List<Column> columns = new ArrayList<>(List.of(count(when(ok, lit(1))),
                array_sort(collect_set(when(ok, shape.date(col("event")::getField).cast("string")))),
                collect_list(when(ok, col("event").getField(shape.key).cast("long"))),
                collect_list(when(ok, unix_micros(col("event").getField(shape.dateField))))));
        for (Reason r : Reason.values()) {
            columns.add(count(when(col(REASON).equalTo(r.code), lit(1))));
        }
        List<String> ops = shape.ops();
        for (String op : ops) {
            columns.add(count(when(ok.and(col("event").getField(ChangeEvent.OP).equalTo(op)), lit(1))));
        }
        Row r = classified.agg(count(lit(1)), columns.toArray(Column[]::new)).first();
        Map<String, Long> rejected = new LinkedHashMap<>();
        int i = 5;
        for (Reason reason : Reason.values()) {
            long n = r.getLong(i++);
            if (n > 0) {
                rejected.put(reason.code, n);
            }
        }
        Map<String, Long> byOp = new LinkedHashMap<>();
        if (ops.isEmpty()) {
            byOp.put("", r.getLong(1));
        }
        for (String op : ops) {
            byOp.put(op, r.getLong(i++));
        }
        return new BatchSummary(r.getLong(0), r.getLong(1), r.getList(2), r.getList(3), r.getList(4), rejected, byOp);
    }

    /**
     * The columns of {@link #rejected}, which the quarantine's files hold: given to whoever reads
     * them back (the merges), never inferred from one file.
     */
    static final StructType QUARANTINE = new StructType()
            .add(REASON, DataTypes.StringType)
            .add(PAYLOAD, DataTypes.StringType)
            .add("raw_value", DataTypes.BinaryType)
            .add("kafka_key", DataTypes.StringType)
            .add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType)
            .add("offset", DataTypes.LongType)
            .add("kafka_timestamp", DataTypes.TimestampType)
            .add("ingest_time", DataTypes.TimestampType);

    /** The rejected records with what an operator needs: payload, reason and where it came from. */
    static Dataset<Row> rejected(Dataset<Row> classified, Column ingestTime) {
        return classified.where(col(REASON).isNotNull()).select(
                col(REASON),
                // A huge payload is kept whole in raw_value but not twice as text.
                when(length(col("value")).gt(MAX_PAYLOAD_BYTES), lit(null)).otherwise(col(PAYLOAD)).as(PAYLOAD),
                col("value").as("raw_value"),
                col("key").cast("string").as("kafka_key"),
                col("topic"), col("partition"), col("offset"),
                col("timestamp").as("kafka_timestamp"),
                ingestTime.as("ingest_time"));
    }
}

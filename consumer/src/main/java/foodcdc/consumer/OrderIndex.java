package foodcdc.consumer;

import static org.apache.spark.sql.functions.col;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.roaringbitmap.longlong.Roaring64NavigableMap;

/**
 * The keys in the lake (its {@link EventShape#key}: order_ids, or in change capture mode
 * change_ids), held by the consumer's driver so that de-duplicating a micro-batch reads no lake
 * file: its cost does not grow with the lake. Built from the lake's files when the stream starts
 * (the lake stays the truth: an index is never saved, so it cannot disagree with the files after
 * a crash), then kept up to date by the batches.
 *
 * <p>A compressed bitmap: order_ids are a SERIAL and change_ids a BIGSERIAL, so runs of
 * consecutive ids take a few bytes, and even scattered ids take about 2 bytes each (5 million
 * orders: under 1 MB). 64-bit, as change_ids are.
 */
final class OrderIndex {
    private final Roaring64NavigableMap ids;

    private OrderIndex(Roaring64NavigableMap ids) {
        this.ids = ids;
    }

    /** The one column the index reads of {@code shape}'s lake, as a long (an order_id is an INTEGER in the files). */
    static StructType columns(EventShape shape) {
        return new StructType().add(shape.key, shape.schema.apply(shape.key).dataType());
    }

    /** The keys of the given Parquet files, read by Spark (one bitmap per task, merged here). */
    static OrderIndex read(SparkSession spark, List<String> files, EventShape shape) {
        Roaring64NavigableMap all = new Roaring64NavigableMap();
        if (files.isEmpty()) {
            return new OrderIndex(all);
        }
        List<byte[]> parts = spark.read().schema(columns(shape)).parquet(files.toArray(String[]::new))
                .where(col(shape.key).isNotNull())
                .select(col(shape.key).cast(DataTypes.LongType))
                .as(Encoders.LONG())
                .mapPartitions((MapPartitionsFunction<Long, byte[]>) OrderIndex::bitmapOfPartition, Encoders.BINARY())
                .collectAsList();
        for (byte[] part : parts) {
            all.or(deserialize(part));
        }
        return new OrderIndex(all);
    }

    /** Those of {@code batchIds} already in the index (a new bitmap: {@code batchIds} is left as it is). */
    Roaring64NavigableMap known(Roaring64NavigableMap batchIds) {
        Roaring64NavigableMap known = new Roaring64NavigableMap();
        known.or(batchIds);
        known.and(ids);
        return known;
    }

    void addAll(Roaring64NavigableMap more) {
        ids.or(more);
    }

    void addAll(OrderIndex more) {
        ids.or(more.ids);
    }

    static OrderIndex empty() {
        return new OrderIndex(new Roaring64NavigableMap());
    }

    /** The keys, as a bitmap of their own (the index is left as it is). */
    Roaring64NavigableMap keys() {
        Roaring64NavigableMap copy = new Roaring64NavigableMap();
        copy.or(ids);
        return copy;
    }

    long size() {
        return ids.getLongCardinality();
    }

    static Roaring64NavigableMap bitmapOf(List<Long> ids) {
        Roaring64NavigableMap b = new Roaring64NavigableMap();
        ids.forEach(b::addLong);
        return b;
    }

    private static Iterator<byte[]> bitmapOfPartition(Iterator<Long> ids) {
        Roaring64NavigableMap b = new Roaring64NavigableMap();
        ids.forEachRemaining(b::addLong);
        b.runOptimize();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            b.serialize(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(bytes.toByteArray()).iterator();
    }

    private static Roaring64NavigableMap deserialize(byte[] bytes) {
        Roaring64NavigableMap b = new Roaring64NavigableMap();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            b.deserialize(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }
}

package foodcdc.consumer;

import static org.apache.spark.sql.functions.col;

import foodcdc.contract.OrderEvent;
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
import org.roaringbitmap.RoaringBitmap;

/**
 * The order_ids in the lake, held by the consumer's driver so that de-duplicating a micro-batch
 * reads no lake file: its cost does not grow with the lake. Built from the lake's files when the
 * stream starts (the lake stays the truth: an index is never saved, so it cannot disagree with
 * the files after a crash), then kept up to date by the batches.
 *
 * <p>A compressed bitmap: order_ids are a SERIAL, so runs of consecutive ids take a few bytes,
 * and even scattered ids take about 2 bytes each (5 million orders: under 1 MB).
 */
final class OrderIndex {
    /** The one column the index reads. */
    static final StructType COLUMNS = new StructType().add(OrderEvent.ORDER_ID, DataTypes.IntegerType);

    private final RoaringBitmap ids;

    private OrderIndex(RoaringBitmap ids) {
        this.ids = ids;
    }

    /** The order_ids of the given Parquet files, read by Spark (one bitmap per task, merged here). */
    static OrderIndex read(SparkSession spark, List<String> files) {
        RoaringBitmap all = new RoaringBitmap();
        if (files.isEmpty()) {
            return new OrderIndex(all);
        }
        List<byte[]> parts = spark.read().schema(COLUMNS).parquet(files.toArray(String[]::new))
                .where(col(OrderEvent.ORDER_ID).isNotNull())
                .as(Encoders.INT())
                .mapPartitions((MapPartitionsFunction<Integer, byte[]>) OrderIndex::bitmapOfPartition, Encoders.BINARY())
                .collectAsList();
        for (byte[] part : parts) {
            all.or(deserialize(part));
        }
        return new OrderIndex(all);
    }

    /** Those of {@code batchIds} already in the index. */
    RoaringBitmap known(RoaringBitmap batchIds) {
        return RoaringBitmap.and(ids, batchIds);
    }

    void addAll(RoaringBitmap more) {
        ids.or(more);
    }

    long size() {
        return ids.getLongCardinality();
    }

    static RoaringBitmap bitmapOf(List<Integer> ids) {
        RoaringBitmap b = new RoaringBitmap();
        ids.forEach(b::add);
        return b;
    }

    private static Iterator<byte[]> bitmapOfPartition(Iterator<Integer> ids) {
        RoaringBitmap b = new RoaringBitmap();
        ids.forEachRemaining(b::add);
        b.runOptimize();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            b.serialize(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.of(bytes.toByteArray()).iterator();
    }

    private static RoaringBitmap deserialize(byte[] bytes) {
        RoaringBitmap b = new RoaringBitmap();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            b.deserialize(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }
}

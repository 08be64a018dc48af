package foodcdc.lake;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Which Parquet files of the lake cannot be read as the lake's columns, and why, from each
 * file's footer alone: a zero-byte or truncated file (no footer), or a column of another type
 * (another tool wrote {@code order_id} as INT64, say). A file that lacks a column is readable: the
 * column reads as NULL.
 *
 * <p>Used when Spark's read of many files fails, since Spark's failure names neither the file
 * nor the reason in a form to act on: reading every footer again costs a few milliseconds a
 * file, so it is done only then.
 */
public final class LakeFileCheck {
    private LakeFileCheck() {
    }

    /**
     * The files of {@code files} that cannot be read as {@code columns}: file → reason, in order.
     * Fails (IOException) when a file cannot be read for another reason than its content (a
     * file system away, a permission): that is not the file's fault, and leaving it out would
     * let its orders be written again.
     */
    public static Map<String, String> unreadable(Configuration conf, List<String> files, StructType columns)
            throws IOException {
        Map<String, String> bad = new LinkedHashMap<>();
        for (String f : files) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while checking " + f);
            }
            Optional<String> reason = problem(conf, new Path(f), columns);
            if (reason.isPresent()) {
                bad.put(f, reason.get());
            }
        }
        return bad;
    }

    /** Why {@code file} cannot be read as {@code columns}, if it cannot; see {@link #unreadable}. */
    public static Optional<String> problem(Configuration conf, Path file, StructType columns) throws IOException {
        MessageType schema;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            schema = reader.getFooter().getFileMetaData().getSchema();
        } catch (EOFException | ParquetDecodingException e) {
            return Optional.of("not a readable Parquet file: " + e.getMessage());
        } catch (RuntimeException e) {
            // parquet-hadoop's way of saying the bytes are no Parquet file, whatever the wording.
            return Optional.of("not a readable Parquet file: " + e.getMessage());
        } catch (IOException e) {
            if (!isContentFault(e)) {
                throw e;   // the file system, not the file
            }
            return Optional.of("not a readable Parquet file: " + e.getMessage());
        }
        Map<String, Type> byName = new HashMap<>();
        schema.getFields().forEach(t -> byName.putIfAbsent(t.getName().toLowerCase(Locale.ROOT), t));
        for (StructField column : columns.fields()) {
            Type t = byName.get(column.name().toLowerCase(Locale.ROOT));   // Spark matches names case-insensitively
            if (t != null && !readableAs(t, column.dataType())) {
                return Optional.of("column " + column.name() + " is " + describe(t) + ", the lake's is "
                        + column.dataType().simpleString());
            }
        }
        return Optional.empty();
    }

    /** parquet-hadoop's IOExceptions that say the bytes are no Parquet file: a footer that does not decode, say. */
    private static boolean isContentFault(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("is not a Parquet file") || m.contains("magic number") || m.contains("corrupted file")
                || m.startsWith("can not read class org.apache.parquet.format");
    }

    /** Whether Spark reads a file's column {@code t} as {@code type} (checked for the lake's types). */
    static boolean readableAs(Type t, DataType type) {
        if (!t.isPrimitive()) {
            return false;
        }
        PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        if (type.equals(DataTypes.IntegerType)) {
            return p == PrimitiveTypeName.INT32;   // Spark 3.5 reads any INT32 as an int, whatever its annotation
        }
        if (type.equals(DataTypes.StringType)) {
            return p == PrimitiveTypeName.BINARY;
        }
        if (type.equals(DataTypes.TimestampType)) {
            return p == PrimitiveTypeName.INT96
                    || p == PrimitiveTypeName.INT64 && a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                    && ts.getUnit() != LogicalTypeAnnotation.TimeUnit.NANOS;
        }
        if (type instanceof DecimalType d) {
            // Spark 3.5 reads a decimal of the same scale and no more digits, nothing else.
            return a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation fd
                    && fd.getScale() == d.scale() && fd.getPrecision() <= d.precision();
        }
        return true;   // the quarantine's others (long, binary): left to Spark's read
    }

    private static String describe(Type t) {
        if (!t.isPrimitive()) {
            return "a group";
        }
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        return t.asPrimitiveType().getPrimitiveTypeName() + (a == null ? "" : " (" + a + ")");
    }
}

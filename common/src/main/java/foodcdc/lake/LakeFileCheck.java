package foodcdc.lake;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
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

    /** The files of {@code files} that cannot be read as {@code columns}: file → reason, in order. */
    public static Map<String, String> unreadable(Configuration conf, List<String> files, StructType columns) {
        Map<String, String> bad = new LinkedHashMap<>();
        for (String f : files) {
            problem(conf, new Path(f), columns).ifPresent(reason -> bad.put(f, reason));
        }
        return bad;
    }

    /** Why {@code file} cannot be read as {@code columns}, if it cannot. */
    public static Optional<String> problem(Configuration conf, Path file, StructType columns) {
        MessageType schema;
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
            schema = reader.getFooter().getFileMetaData().getSchema();
        } catch (IOException | RuntimeException e) {
            return Optional.of("not a readable Parquet file: " + e.getMessage());
        }
        for (StructField column : columns.fields()) {
            if (schema.containsField(column.name())) {
                Type t = schema.getType(column.name());
                if (!readableAs(t, column.dataType())) {
                    return Optional.of("column " + column.name() + " is " + describe(t) + ", the lake's is "
                            + column.dataType().simpleString());
                }
            }
        }
        return Optional.empty();
    }

    /** Whether Spark reads a file's column {@code t} as {@code type} (checked for the lake's types). */
    static boolean readableAs(Type t, DataType type) {
        if (!t.isPrimitive()) {
            return false;
        }
        PrimitiveTypeName p = t.asPrimitiveType().getPrimitiveTypeName();
        LogicalTypeAnnotation a = t.getLogicalTypeAnnotation();
        if (type.equals(DataTypes.IntegerType)) {
            return p == PrimitiveTypeName.INT32 && (a == null || a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation);
        }
        if (type.equals(DataTypes.StringType)) {
            return p == PrimitiveTypeName.BINARY;
        }
        if (type.equals(DataTypes.TimestampType)) {
            return p == PrimitiveTypeName.INT96
                    || p == PrimitiveTypeName.INT64 && a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
        }
        if (type instanceof DecimalType) {
            return a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
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

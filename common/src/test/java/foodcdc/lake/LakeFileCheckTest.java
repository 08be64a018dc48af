package foodcdc.lake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.contract.OrderEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeFileCheckTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadColumnsAsSpark35Does() {
        assertTrue(LakeFileCheck.readableAs(Types.required(PrimitiveTypeName.INT32).named("order_id"),
                DataTypes.IntegerType));
        assertFalse(LakeFileCheck.readableAs(Types.required(PrimitiveTypeName.INT64).named("order_id"),
                DataTypes.IntegerType), "order_id as INT64");
        assertTrue(LakeFileCheck.readableAs(Types.required(PrimitiveTypeName.INT32)
                .as(LogicalTypeAnnotation.intType(16, true)).named("order_id"), DataTypes.IntegerType), "INT_16");
        assertTrue(LakeFileCheck.readableAs(decimal(10, 2), DataTypes.createDecimalType(10, 2)));
        assertTrue(LakeFileCheck.readableAs(decimal(9, 2), DataTypes.createDecimalType(10, 2)));
        assertFalse(LakeFileCheck.readableAs(decimal(18, 3), DataTypes.createDecimalType(10, 2)), "DuckDB's default");
        assertFalse(LakeFileCheck.readableAs(decimal(12, 2), DataTypes.createDecimalType(10, 2)), "more digits");
        assertTrue(LakeFileCheck.readableAs(timestamp(LogicalTypeAnnotation.TimeUnit.MICROS), DataTypes.TimestampType));
        assertFalse(LakeFileCheck.readableAs(timestamp(LogicalTypeAnnotation.TimeUnit.NANOS), DataTypes.TimestampType));
    }

    @Test
    void shouldNameFilesWhoseBytesAreNoParquetAndFailForAMissingOne() throws IOException {
        Path empty = Files.write(dir.resolve("empty.parquet"), new byte[0]);
        Path garbage = Files.writeString(dir.resolve("garbage.parquet"), "PAR1 and then not much else at all");
        Map<String, String> bad = LakeFileCheck.unreadable(new Configuration(), List.of(empty.toString(),
                garbage.toString()), OrderEvent.Spark.schema());
        assertEquals(2, bad.size(), bad.toString());
        assertTrue(bad.get(empty.toString()).startsWith("not a readable Parquet file: "), bad.toString());
        assertTrue(bad.get(empty.toString()).contains("is not a Parquet file"), bad.toString());
        // Not the file's content: never a reason to leave a file out.
        assertThrows(IOException.class, () -> LakeFileCheck.unreadable(new Configuration(),
                List.of(dir.resolve("gone.parquet").toString()), OrderEvent.Spark.schema()));
    }

    private static org.apache.parquet.schema.Type decimal(int precision, int scale) {
        return Types.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.decimalType(scale, precision))
                .named("amount");
    }

    private static org.apache.parquet.schema.Type timestamp(LogicalTypeAnnotation.TimeUnit unit) {
        return Types.required(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.timestampType(true, unit))
                .named("created_at");
    }
}

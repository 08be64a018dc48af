package foodcdc.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import foodcdc.spark.SparkSessions;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exact JSON of a change event, and its reading back (local Spark, no services). */
class ChangeEventTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.local("ChangeEventTest", 1);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** What Spark's JDBC source gives for the change table's columns (ChangeQuery.COLUMNS) with preferTimestampNTZ. */
    private static final StructType CHANGE_TABLE = new StructType()
            .add("op", DataTypes.StringType, false)
            .add("change_id", DataTypes.LongType, false)
            .add("order_id", DataTypes.IntegerType, false)
            .add("customer_name", DataTypes.StringType)
            .add("restaurant_name", DataTypes.StringType)
            .add("item", DataTypes.StringType)
            .add("amount", DataTypes.createDecimalType(10, 2))
            .add("order_status", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampNTZType)
            .add("changed_at", DataTypes.TimestampNTZType, false);

    @Test
    void shouldWriteTheSevenFieldsThenTheChangeInTheContractsOrder() {
        Dataset<Row> changes = spark.createDataFrame(List.of(
                RowFactory.create("u", 5_000_000_001L, 101, "John Doe", "Burger Junction", "Veg Burger",
                        new BigDecimal("220.00"), "DELIVERED", LocalDateTime.parse("2025-11-18T12:24:00"),
                        LocalDateTime.parse("2025-11-18T12:31:07.123456")),
                RowFactory.create("d", 7L, 102, null, null, null, null, null, null,
                        LocalDateTime.parse("2025-11-18T23:59:59.999999"))), CHANGE_TABLE);

        List<Row> records = ChangeEvent.Spark.toKafkaRecords(changes).collectAsList();

        assertEquals("101", records.get(0).getString(0));
        assertEquals("{\"order_id\":101,\"customer_name\":\"John Doe\",\"restaurant_name\":\"Burger Junction\","
                + "\"item\":\"Veg Burger\",\"amount\":220.00,\"order_status\":\"DELIVERED\","
                + "\"created_at\":\"2025-11-18T12:24:00.000000Z\",\"op\":\"u\",\"change_id\":5000000001,"
                + "\"changed_at\":\"2025-11-18T12:31:07.123456Z\"}", records.get(0).getString(1));
        assertEquals("{\"order_id\":102,\"customer_name\":null,\"restaurant_name\":null,\"item\":null,"
                + "\"amount\":null,\"order_status\":null,\"created_at\":null,\"op\":\"d\",\"change_id\":7,"
                + "\"changed_at\":\"2025-11-18T23:59:59.999999Z\"}", records.get(1).getString(1));
    }

    @Test
    void shouldReadItsOwnJsonBack() {
        Dataset<Row> text = spark.createDataFrame(List.of(RowFactory.create(
                "{\"order_id\":101,\"customer_name\":\"John Doe\",\"restaurant_name\":\"Burger Junction\","
                        + "\"item\":\"Veg Burger\",\"amount\":220.00,\"order_status\":\"DELIVERED\","
                        + "\"created_at\":\"2025-11-18T12:24:00.000000Z\",\"op\":\"u\",\"change_id\":5000000001,"
                        + "\"changed_at\":\"2025-11-18T12:31:07.123456Z\"}")),
                new StructType().add("value", DataTypes.StringType));
        Row r = text.select(ChangeEvent.Spark.fromJson(text.col("value"), "_corrupt").as("e"))
                .select("e.op", "e.change_id", "e.order_id", "e.order_status", "e._corrupt").first();
        assertEquals("u", r.getString(0));
        assertEquals(5_000_000_001L, r.getLong(1));
        assertEquals(101, r.getInt(2));
        assertEquals("DELIVERED", r.getString(3));
        assertEquals(null, r.get(4));
    }

    @Test
    void shouldKnowTheFourOps() {
        assertEquals(Optional.of(ChangeEvent.Op.SNAPSHOT), ChangeEvent.Op.of("r"));
        assertEquals(Optional.of(ChangeEvent.Op.DELETE), ChangeEvent.Op.of("d"));
        assertEquals(Optional.empty(), ChangeEvent.Op.of("x"));
        assertEquals(List.of("order_id", "customer_name", "restaurant_name", "item", "amount", "order_status",
                "created_at", "op", "change_id", "changed_at"), ChangeEvent.names());
    }
}

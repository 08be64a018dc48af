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

/** The exact JSON contract of an event, on a small static frame (local Spark, no services). */
class OrderEventTest {
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSessions.local("OrderEventTest", 1);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** The schema Spark's JDBC source gives the table with preferTimestampNTZ. */
    private static final StructType TABLE = new StructType()
            .add("order_id", DataTypes.IntegerType, false)
            .add("customer_name", DataTypes.StringType)
            .add("restaurant_name", DataTypes.StringType)
            .add("item", DataTypes.StringType)
            .add("amount", DataTypes.createDecimalType(10, 2))
            .add("order_status", DataTypes.StringType)
            .add("created_at", DataTypes.TimestampNTZType, false);

    @Test
    void shouldWriteExactlyTheSevenFieldsWithMicrosecondsAndNulls() {
        Dataset<Row> orders = spark.createDataFrame(List.of(
                RowFactory.create(101, "John Doe", "Burger Junction", "Veg Burger", new BigDecimal("220.00"), "PLACED",
                        LocalDateTime.parse("2025-11-18T12:24:00")),
                RowFactory.create(102, "Ann \"Q\" Lee", null, "Pizza", null, "PLACED",
                        LocalDateTime.parse("2025-11-18T23:59:59.999999"))), TABLE);

        List<Row> records = OrderEvent.Spark.toKafkaRecords(orders).collectAsList();

        assertEquals("key", OrderEvent.Spark.toKafkaRecords(orders).columns()[0]);
        assertEquals("101", records.get(0).getString(0));
        assertEquals("{\"order_id\":101,\"customer_name\":\"John Doe\",\"restaurant_name\":\"Burger Junction\","
                + "\"item\":\"Veg Burger\",\"amount\":220.00,\"order_status\":\"PLACED\","
                + "\"created_at\":\"2025-11-18T12:24:00.000000Z\"}", records.get(0).getString(1));
        assertEquals("102", records.get(1).getString(0));
        assertEquals("{\"order_id\":102,\"customer_name\":\"Ann \\\"Q\\\" Lee\",\"restaurant_name\":null,"
                + "\"item\":\"Pizza\",\"amount\":null,\"order_status\":\"PLACED\","
                + "\"created_at\":\"2025-11-18T23:59:59.999999Z\"}", records.get(1).getString(1));
    }

    @Test
    void shouldReadTheOrderIdFromAKeyAndNothingFromAnyOtherKey() {
        assertEquals(Optional.of(101), OrderEvent.orderIdOfKey("101"));
        assertEquals(Optional.of(-5), OrderEvent.orderIdOfKey("-5"));
        assertEquals(Optional.empty(), OrderEvent.orderIdOfKey(null));
        assertEquals(Optional.empty(), OrderEvent.orderIdOfKey("abc"));
        assertEquals(Optional.empty(), OrderEvent.orderIdOfKey("9999999999"));
    }
}

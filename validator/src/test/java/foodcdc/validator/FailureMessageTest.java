package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class FailureMessageTest {

    @Test
    void shouldAddTheRootCauseToTheMessage() {
        Exception e = new SQLException("The connection attempt failed.", new SocketTimeoutException("Connect timed out"));
        assertEquals("The connection attempt failed. (Connect timed out)", FailureMessage.of(e));
    }

    @Test
    void shouldSkipWrappersThatRepeatTheirCauseAndStackTracesInMessages() {
        String convert = "Parquet column cannot be converted in file f.parquet. Column: [order_id], Expected: int, Found: INT64.";
        Exception e = new IllegalStateException("Job aborted due to stage failure: Task 0 failed: SparkException: "
                + convert + "\n\tat org.apache.spark.Something(Something.scala:1)",
                new IllegalStateException(convert, new RuntimeException("column: [order_id], physicalType: INT64")));
        assertEquals(convert + " (column: [order_id], physicalType: INT64)", FailureMessage.of(e));
    }

    @Test
    void shouldGiveAWrappedMessageOnce() {
        assertEquals("disk full", FailureMessage.of(new RuntimeException(new IOException("disk full"))));
    }

    @Test
    void shouldNameTheFailureWhenNoneHasAMessage() {
        assertEquals("NullPointerException", FailureMessage.of(new IOException(null, new NullPointerException())));
    }

    @Test
    void shouldNameAnError() {
        assertEquals("OutOfMemoryError: Java heap space", FailureMessage.of(new OutOfMemoryError("Java heap space")));
    }

    @Test
    void shouldCutAVeryLongMessage() {
        assertEquals("x".repeat(500) + "...", FailureMessage.of(new IOException("x".repeat(501))));
    }
}

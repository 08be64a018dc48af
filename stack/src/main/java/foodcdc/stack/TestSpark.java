package foodcdc.stack;

import foodcdc.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

/**
 * The local Spark session of a test JVM: the pipeline's settings ({@link SparkSessions}) on two
 * cores, started on first use and left to Spark's own shutdown hook, so the test classes that
 * drive the jobs in-process share one instead of paying Spark's start-up each.
 */
public final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    public static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSessions.local("orders-tests", 2);
        }
        return session;
    }
}

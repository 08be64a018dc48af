package foodcdc.spark;

import foodcdc.storage.PlainFiles;
import java.util.TimeZone;
import org.apache.spark.sql.SparkSession;

/**
 * How every Spark session of the pipeline starts (both jobs, the validator, the tests): in UTC,
 * and with plain local files ({@link PlainFiles#SPARK_CONF}). created_at is UTC wall-clock time:
 * Spark reads PostgreSQL's timestamps through the JVM's zone and derives dates in the session's,
 * so a zone other than UTC in either would shift orders across midnight.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    private static final String SESSION_TIME_ZONE = "spark.sql.session.timeZone";
    private static final String UTC = "UTC";

    /** A builder for {@code appName} with the pipeline's settings; the JVM's default zone becomes UTC. */
    public static SparkSession.Builder builder(String appName) {
        TimeZone.setDefault(TimeZone.getTimeZone(UTC));
        SparkSession.Builder builder = SparkSession.builder().appName(appName).config(SESSION_TIME_ZONE, UTC)
                // The options shown in plans (the UI's SQL tab, the event log) hide these values:
                // the JDBC URL and password, and kafka.properties' sasl.jaas.config and passwords.
                .config("spark.sql.redaction.options.regex", "(?i)url|password|jaas|secret|token|keystore\\.key");
        PlainFiles.SPARK_CONF.forEach(builder::config);
        return builder;
    }

    /** Puts a running session in UTC: for code handed a session it did not build. */
    public static void useUtc(SparkSession spark) {
        spark.conf().set(SESSION_TIME_ZONE, UTC);
    }

    /** A local session on {@code cores} threads, loopback only, no UI: for tests and tools. */
    public static SparkSession local(String appName, int cores) {
        return builder(appName).master("local[" + cores + "]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }
}

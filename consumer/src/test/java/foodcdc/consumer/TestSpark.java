package foodcdc.consumer;

import foodcdc.storage.PlainFiles;
import org.apache.spark.sql.SparkSession;

/** A local Spark session for tests: loopback only, no UI, UTC, plain local files as the jobs use them. */
final class TestSpark {
    private TestSpark() {
    }

    static SparkSession start(String appName, int cores) {
        SparkSession.Builder builder = SparkSession.builder().master("local[" + cores + "]").appName(appName)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.shuffle.partitions", "2");
        PlainFiles.SPARK_CONF.forEach(builder::config);
        return builder.getOrCreate();
    }
}

package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline on a real Spark standalone cluster (a master and a worker JVM, executors
 * in their own JVMs), with both jobs submitted by the same scripts as locally: every valid
 * order lands exactly once, and the work ran on executors, not in the drivers.
 */
class ClusterPipelineIT {

    @Test
    void shouldRunBothJobsOnExecutorsOfAStandaloneClusterWithEveryOrderOnce() throws Exception {
        try (ThrowawayStack stack = ThrowawayStack.create("cluster").start(true)) {
            PipelineConfig c = stack.config();
            String master = stack.stack().sparkMasterUrl().orElseThrow();
            Path log = stack.dir().resolve("jobs.log");
            // The worker has 2 cores: one for each job.
            Map<String, String> env = Map.of("SPARK_MASTER", master, "SPARK_CORES_MAX", "1");
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", stack.configFile(), log, env);
                 JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", stack.configFile(), log, env)) {
                LakeFiles.awaitOrders(c.datalake().path(), 10, Duration.ofSeconds(180));
                try (Connection db = stack.connect(); Statement s = db.createStatement()) {
                    s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) "
                            + "SELECT 'Cluster ' || g, 10.00 FROM generate_series(1, 5) g");
                }
                LakeFiles.awaitOrders(c.datalake().path(), 15, Duration.ofSeconds(180));
                assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop");
                assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop");
            }
            // Each application's executors (separate JVMs started by the worker) ran tasks. An
            // application may have had its executor replaced (the worker starts another when one
            // exits); the lake's exact content above is what counts, so a replaced one is shown.
            Path work = stack.dir().resolve("stack/spark/work");
            Map<Path, List<Path>> byApplication;
            try (Stream<Path> files = Files.walk(work)) {
                byApplication = files.filter(f -> f.getFileName().toString().equals("stderr")).sorted()
                        .collect(Collectors.groupingBy(f -> f.getParent().getParent(), TreeMap::new, Collectors.toList()));
            }
            assertEquals(2, byApplication.size(), "one application per job: " + byApplication);
            for (var app : byApplication.entrySet()) {
                long working = 0;
                for (Path executorLog : app.getValue()) {
                    String text = Files.readString(executorLog, StandardCharsets.ISO_8859_1);
                    long tasks = text.lines().filter(l -> l.contains("Running task")).count();
                    working += tasks > 0 ? 1 : 0;
                    System.out.println("executor " + work.relativize(executorLog) + ": " + tasks + " tasks run"
                            + (tasks > 0 ? "" : "; its log ends:\n" + String.join("\n",
                            text.lines().skip(Math.max(0, text.lines().count() - 15)).toList())));
                }
                assertTrue(working >= 1, work.relativize(app.getKey()) + ": no executor ran a task");
            }
        }
    }
}

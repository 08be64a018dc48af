package foodcdc.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster: one master and one worker, plain JVMs on the jars Maven laid
 * out in runtime/spark/target/home (which is their SPARK_HOME). The worker starts executors as
 * separate JVMs, as on any cluster. Everything binds to loopback.
 */
final class SparkStandalone {
    static final String HOST = "127.0.0.1";

    private final StackLayout layout;

    SparkStandalone(StackLayout layout) {
        this.layout = layout;
    }

    /** Ports of a running cluster: the master's RPC port and the two web UIs. */
    record ClusterPorts(int master, int masterUi, int workerUi) {
        String masterUrl() {
            return "spark://" + HOST + ":" + master;
        }
    }

    /** The usual ports when free (7077, 8080, 8081), otherwise ports the OS picks. */
    static ClusterPorts choosePorts() {
        return new ClusterPorts(preferred(7077), preferred(8080), preferred(8081));
    }

    private static int preferred(int port) {
        return Ports.isListening(HOST, port) ? Ports.freePort() : port;
    }

    Daemon.Started startMaster(ClusterPorts ports) throws IOException, InterruptedException {
        Daemon.Started master = Daemon.start("Spark master",
                java("org.apache.spark.deploy.master.Master",
                        "--host", HOST, "--port", Integer.toString(ports.master()),
                        "--webui-port", Integer.toString(ports.masterUi())),
                env(), layout.logs().resolve("spark-master.log"));
        Daemon.awaitLogLine(master, "I have been elected leader", Duration.ofSeconds(60));
        return master;
    }

    Daemon.Started startWorker(ClusterPorts ports, int cores, String memory) throws IOException, InterruptedException {
        Path work = layout.stackDir().resolve("spark/work");
        Files.createDirectories(work);
        Daemon.Started worker = Daemon.start("Spark worker",
                java("org.apache.spark.deploy.worker.Worker",
                        "--host", HOST, "--cores", Integer.toString(cores), "--memory", memory,
                        "--webui-port", Integer.toString(ports.workerUi()),
                        "--work-dir", work.toString(), ports.masterUrl()),
                env(), layout.logs().resolve("spark-worker.log"));
        Daemon.awaitLogLine(worker, "Successfully registered with master", Duration.ofSeconds(60));
        return worker;
    }

    private List<String> java(String mainClass, String... args) throws IOException {
        layout.requireBuilt(layout.sparkHome().resolve("jars"));
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m"));
        // Spark's module openings for Java 17, as a java argument file.
        cmd.add("@" + layout.sparkJavaOptions());
        cmd.add("-Dlog4j2.configurationFile=" + layout.sparkLog4jConfig());
        cmd.add("-Dfoodcdc.stack=" + layout.stackDir());
        cmd.addAll(List.of("-cp", layout.sparkHome().resolve("jars") + "/*", mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Map<String, String> env() {
        // The worker launches executors itself and needs SPARK_HOME/jars and the Scala version;
        // SPARK_LOCAL_IP keeps every Spark socket on loopback.
        return Map.of("SPARK_HOME", layout.sparkHome().toString(),
                "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", HOST);
    }
}

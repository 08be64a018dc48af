package foodcdc.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.stack.Ports;
import foodcdc.stack.Wait;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's package) on a free loopback port, scraping the given jobs
 * every second and evaluating the given rule files, with its data in a temporary folder; queried
 * over its HTTP API. Missing binaries fail the test with what to install: never a skip.
 */
final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The path of {@code tool} (prometheus, promtool); fails when it is not installed. */
    static String binary(String tool) {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toString();
            }
        }
        throw new AssertionError(tool + " is not installed: apt-get install prometheus (scripts/run_tests.sh does)");
    }

    /** Starts it; {@code jobs}: job name → host:port of its /metrics. */
    static PrometheusServer start(Path dir, Map<String, String> jobs, List<Path> ruleFiles) throws Exception {
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n");
        ruleFiles.forEach(f -> config.append("  - ").append(f.toAbsolutePath()).append('\n'));
        config.append("scrape_configs:\n");
        jobs.forEach((job, target) -> config.append("  - job_name: ").append(job)
                .append("\n    static_configs:\n      - targets: [\"").append(target).append("\"]\n"));
        Files.createDirectories(dir);
        Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
        int port = Ports.freePort();
        Process p = new ProcessBuilder(binary("prometheus"), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(p, port);
        try {
            Wait.until(server::ready, Duration.ofSeconds(60), "Prometheus ready");
        } catch (Throwable e) {
            server.close();
            throw new AssertionError("Prometheus did not start: " + Files.readString(dir.resolve("prometheus.log")), e);
        }
        return server;
    }

    /** The result vector of an instant query: each series' labels and value. */
    List<JsonNode> query(String promql) throws IOException, InterruptedException {
        JsonNode body = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        List<JsonNode> out = new java.util.ArrayList<>();
        body.path("data").path("result").forEach(out::add);
        return out;
    }

    /** The value of a query that gives one series; NaN when it gives none. */
    double value(String promql) throws IOException, InterruptedException {
        List<JsonNode> r = query(promql);
        if (r.size() > 1) {
            throw new AssertionError(promql + " gave " + r.size() + " series: " + r);
        }
        return r.isEmpty() ? Double.NaN : Double.parseDouble(r.get(0).path("value").get(1).asText());
    }

    /** {@code GET path} of the API, as JSON; fails unless its status is success. */
    JsonNode api(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        JsonNode body = JSON.readTree(r.body());
        if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus " + path + ": " + r.statusCode() + " " + r.body());
        }
        return body;
    }

    private boolean ready() throws InterruptedException {
        try {
            return get("/-/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;   // not listening yet
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

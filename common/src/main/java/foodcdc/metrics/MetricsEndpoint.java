package foodcdc.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.BindException;
import java.util.Optional;

/**
 * A job's Prometheus endpoint: {@code /metrics} in the text format on {@code host:port}, serving
 * the job's own registry and the JVM's memory and GC metrics, by the Prometheus client library
 * (its HTTP server is the JDK's). Port 0 turns it off. A port another process holds is a start
 * problem naming the key, never a silent job without metrics.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;
    private final String url;

    private MetricsEndpoint(HTTPServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /**
     * Serves {@code registry} (with the JVM's metrics added to it) on {@code host:port}; empty when
     * {@code port} is 0. {@code key} names the config key of the port, for the message.
     */
    public static Optional<MetricsEndpoint> start(String key, String host, int port, PrometheusRegistry registry)
            throws IOException {
        if (port == 0) {
            return Optional.empty();
        }
        JvmMetrics.builder().register(registry);
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
            return Optional.of(new MetricsEndpoint(server, "http://" + host + ":" + server.getPort() + "/metrics"));
        } catch (BindException e) {
            if (String.valueOf(e.getMessage()).contains("already in use")) {
                throw new IOException(key + ": cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                        + "): another process listens there (a second stack on this host?); set " + key
                        + " to a free port, or to 0 to turn the endpoint off", e);
            }
            // Not an address of this machine, or a port below 1024 without the right to it.
            throw new IOException("metrics.host, " + key + ": cannot serve metrics on " + host + ":" + port + " ("
                    + e.getMessage() + "): set metrics.host to an address of this machine (127.0.0.1, 0.0.0.0) and "
                    + key + " to a port above 1023, or " + key + " to 0 to turn the endpoint off", e);
        } catch (IOException e) {
            throw new IOException("metrics.host: cannot serve metrics on " + host + ":" + port + " (" + e + ")", e);
        }
    }

    /** Where Prometheus scrapes it. */
    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.close();
    }
}

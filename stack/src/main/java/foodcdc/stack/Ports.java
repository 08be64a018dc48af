package foodcdc.stack;

import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Port checks on this machine. */
public final class Ports {
    private Ports() {
    }

    /** A port that was free on loopback a moment ago (the OS picks it). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Both jobs' metrics endpoints on two free loopback ports, never the same one twice. */
    public static PipelineConfig.Metrics freeMetricsPorts() {
        int producer = freePort();
        int consumer = freePort();
        while (consumer == producer) {
            consumer = freePort();
        }
        return new PipelineConfig.Metrics("127.0.0.1", producer, consumer);
    }

    /** True when something accepts connections on host:port. */
    static boolean isListening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

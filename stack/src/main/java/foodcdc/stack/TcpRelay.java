package foodcdc.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on a free loopback port to a target, for tests of a network that goes dark: while
 * {@link #blackHole() paused}, connections stay open but no byte gets through in either
 * direction, and new connections are accepted but never answered: what a dropped route or a
 * silent firewall does (no reset, no error). {@link #restore()} lets bytes flow again.
 */
public final class TcpRelay implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean dark;
    private volatile boolean closed;

    public TcpRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "relay-accept-" + port());
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing gets through, and nothing is closed. */
    public void blackHole() {
        dark = true;
    }

    public void restore() {
        dark = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread connect = new Thread(() -> connect(client), "relay-connect");
                connect.setDaemon(true);
                connect.start();
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    private void connect(Socket client) {
        try {
            while (dark && !closed) {
                Thread.sleep(50);   // a new connection in the dark: accepted, never answered
            }
            Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(target);
            pump(client, target);
            pump(target, client);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (dark && !closed) {
                        Thread.sleep(50);   // hold the bytes: they never arrive while dark
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed: close the other below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        sockets.forEach(TcpRelay::closeQuietly);
    }
}

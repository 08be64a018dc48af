package foodcdc.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a secured test stack, made as an operator makes them: {@code openssl} for
 * PostgreSQL's PEM files, {@code keytool} for Kafka's PKCS12 keystores. Two authorities, each
 * signing one server's certificate for 127.0.0.1 and localhost, so that each one's CA is the
 * wrong CA for the other server (a handshake that must fail).
 */
public final class TestCertificates {
    private static final String DAYS = "2";

    private final Path dir;
    private final String storePassword;

    private TestCertificates(Path dir, String storePassword) {
        this.dir = dir;
        this.storePassword = storePassword;
    }

    /** Makes every file in {@code dir}; {@code storePassword} locks the PKCS12 stores. */
    public static TestCertificates make(Path dir, String storePassword) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir, storePassword);
        c.makePostgres();
        c.makeKafka();
        return c;
    }

    /** The CA that signed PostgreSQL's certificate (PEM): what {@code sslrootcert} names. */
    public Path postgresCa() {
        return dir.resolve("postgres-ca.crt");
    }

    Path postgresCert() {
        return dir.resolve("postgres-server.crt");
    }

    Path postgresKey() {
        return dir.resolve("postgres-server.key");
    }

    /** The broker's key and certificate (PKCS12). */
    Path brokerKeystore() {
        return dir.resolve("kafka-broker.p12");
    }

    /** A truststore with the CA that signed the broker's certificate (PKCS12). */
    public Path kafkaTruststore() {
        return dir.resolve("kafka-truststore.p12");
    }

    /** That CA as PEM (the wrong CA for PostgreSQL). */
    public Path kafkaCaPem() {
        return dir.resolve("kafka-ca.crt");
    }

    /** A truststore with PostgreSQL's CA only: the wrong CA for the broker (PKCS12). */
    public Path wrongKafkaTruststore() {
        return dir.resolve("wrong-truststore.p12");
    }

    public String storePassword() {
        return storePassword;
    }

    private void makePostgres() throws IOException, InterruptedException {
        Path caKey = dir.resolve("postgres-ca.key");
        Path csr = dir.resolve("postgres-server.csr");
        Path ext = Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
                StandardCharsets.UTF_8);
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", DAYS,
                "-subj", "/CN=orders test CA for PostgreSQL", "-keyout", caKey.toString(), "-out", postgresCa().toString(),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", postgresKey().toString(), "-out", csr.toString());
        run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", postgresCa().toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-days", DAYS, "-extfile", ext.toString(), "-out", postgresCert().toString());
    }

    private void makeKafka() throws IOException, InterruptedException {
        Path ca = dir.resolve("kafka-ca.p12");
        Path csr = dir.resolve("kafka-broker.csr");
        Path cert = dir.resolve("kafka-broker.crt");
        keytool("-genkeypair", "-alias", "ca", "-dname", "CN=orders test CA for Kafka", "-ext", "bc:c",
                "-keyalg", "RSA", "-keysize", "2048", "-validity", DAYS, "-keystore", ca.toString());
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-file", kafkaCaPem().toString());
        keytool("-genkeypair", "-alias", "broker", "-dname", "CN=127.0.0.1", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", DAYS, "-keystore", brokerKeystore().toString());
        keytool("-certreq", "-alias", "broker", "-keystore", brokerKeystore().toString(), "-file", csr.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-infile", csr.toString(),
                "-outfile", cert.toString(), "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", DAYS);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", kafkaCaPem().toString(),
                "-keystore", brokerKeystore().toString());
        keytool("-importcert", "-alias", "broker", "-file", cert.toString(), "-keystore", brokerKeystore().toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", kafkaCaPem().toString(),
                "-keystore", kafkaTruststore().toString());
        keytool("-importcert", "-noprompt", "-alias", "other", "-file", postgresCa().toString(),
                "-keystore", wrongKafkaTruststore().toString());
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("keytool"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", storePassword));
        run(cmd.toArray(String[]::new));
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Path log = dir.resolve("make.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(cmd[0] + " " + cmd[1] + " failed; see " + log + ":\n" + Daemon.tail(log, 10));
        }
    }
}

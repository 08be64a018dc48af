package foodcdc.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/** A refusal (a login, a handshake, an ACL) is told from an outage, which the jobs wait out. */
class AccessRefusedTest {
    private static final String BROKERS = "b1:9093";
    private static final String SERVER = "db:5432";

    @Test
    void shouldNameTheBrokerTheCauseAndTheSettingsForAKafkaRefusal() {
        String login = message(AccessRefused.byKafka(new ExecutionException(
                new SaslAuthenticationException("invalid credentials with SASL mechanism SCRAM-SHA-512")), BROKERS));
        assertTrue(login.startsWith("Kafka at b1:9093 refused the login (SaslAuthenticationException: invalid credentials"),
                login);
        assertTrue(login.endsWith("check sasl.mechanism and sasl.jaas.config in kafka.properties"), login);
        String tls = message(AccessRefused.byKafka(new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("PKIX path building failed")), BROKERS));
        assertTrue(tls.startsWith("TLS with Kafka at b1:9093 failed (") && tls.contains("ssl.truststore"), tls);
        String acl = message(AccessRefused.byKafka(new TopicAuthorizationException("not authorized"), BROKERS));
        assertTrue(acl.startsWith("Kafka at b1:9093 refused access"), acl);
    }

    @Test
    void shouldLeaveAKafkaOutageToTheRetries() {
        assertEquals(Optional.empty(), AccessRefused.byKafka(new ExecutionException(new TimeoutException("timed out")), BROKERS));
        assertEquals(Optional.empty(), AccessRefused.byKafka(new ConnectException("Connection refused"), BROKERS));
    }

    @Test
    void shouldNameTheServerTheUserAndTheSettingsForAPostgresRefusal() {
        String password = message(AccessRefused.byPostgres(new SQLException(
                "FATAL: password authentication failed for user \"orders\"\n  Detail", "28P01"), SERVER, "orders"));
        assertEquals("PostgreSQL at db:5432 refused the login of postgres.user orders (FATAL: password authentication "
                + "failed for user \"orders\"); check postgres.password and the server's pg_hba.conf", password);
        assertTrue(message(AccessRefused.byPostgres(new SQLException("no pg_hba.conf entry", "28000"), SERVER, "orders"))
                .startsWith("PostgreSQL at db:5432 refused the login"));
        SSLHandshakeException wrongCa = new SSLHandshakeException("PKIX path building failed");
        wrongCa.initCause(new CertificateException("unable to find valid certification path"));
        String tls = message(AccessRefused.byPostgres(new SQLException("SSL error", "08006", wrongCa), SERVER, "orders"));
        assertTrue(tls.startsWith("TLS with PostgreSQL at db:5432 failed (") && tls.contains("sslrootcert"), tls);
    }

    @Test
    void shouldLeaveAPostgresOutageToTheRetries() {
        assertEquals(Optional.empty(), AccessRefused.byPostgres(new SQLException("Connection refused", "08001",
                new ConnectException("Connection refused")), SERVER, "orders"));
        assertEquals(Optional.empty(), AccessRefused.byPostgres(new SQLException(
                "FATAL: the database system is starting up", "57P03"), SERVER, "orders"));
    }

    @Test
    void shouldLeaveAHandshakeCutShortToTheRetries() {
        // A server restarting or a network reset mid-handshake: TLS exceptions, but no certificate refused.
        assertEquals(Optional.empty(), AccessRefused.byPostgres(new SQLException("SSL error", "08006",
                new SSLException("Connection reset")), SERVER, "orders"));
        assertEquals(Optional.empty(), AccessRefused.byPostgres(new SQLException("SSL error", "08006",
                new SSLHandshakeException("Remote host terminated the handshake")), SERVER, "orders"));
        assertEquals(Optional.empty(), AccessRefused.byKafka(new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("Remote host terminated the handshake")), BROKERS));
        SSLHandshakeException hostName = new SSLHandshakeException("No subject alternative names matching");
        hostName.initCause(new CertificateException("No subject alternative names matching IP address 10.0.0.1"));
        assertTrue(AccessRefused.byKafka(new SslAuthenticationException("SSL handshake failed", hostName), BROKERS)
                .isPresent());
    }

    private static String message(Optional<AccessRefused> refused) {
        assertTrue(refused.isPresent(), "a refusal");
        return refused.get().getMessage();
    }
}

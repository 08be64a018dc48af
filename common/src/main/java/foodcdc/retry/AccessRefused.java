package foodcdc.retry;

import foodcdc.config.PipelineConfig;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * A server that answered and refused: the login (a wrong password, no such user, no
 * {@code pg_hba.conf} entry), the TLS handshake (a certificate the configured CA did not sign, a
 * host name the certificate does not name) or the access (a Kafka ACL). Unlike an outage,
 * waiting does not fix it: the jobs end with exit 3 and this one line, which names the server,
 * the cause and the setting to look at. Never a secret: the drivers' messages name the user at
 * most.
 */
public final class AccessRefused extends Exception {
    private static final long serialVersionUID = 1L;

    private AccessRefused(String message) {
        super(message, null, false, false);
    }

    /** The refusal {@code e} is, from the PostgreSQL or the Kafka of {@code config}; empty for anything else. */
    public static Optional<AccessRefused> byEither(Throwable e, PipelineConfig config) {
        PipelineConfig.Postgres pg = config.postgres();
        return byPostgres(e, pg.host() + ":" + pg.port(), pg.user()).or(() -> byKafka(e, config.kafka().brokers()));
    }

    /** The refusal {@code e} is, from Kafka at {@code brokers}; empty for anything else (an outage). */
    public static Optional<AccessRefused> byKafka(Throwable e, String brokers) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String cause = " (" + RootCause.describe(t) + ")";
            if (t instanceof SaslAuthenticationException) {
                return Optional.of(new AccessRefused("Kafka at " + brokers + " refused the login" + cause
                        + "; check sasl.mechanism and sasl.jaas.config in kafka.properties"));
            }
            if (t instanceof AuthenticationException && (!(t instanceof SslAuthenticationException)
                    || certificateRejected(t))) {
                // A handshake cut short (a broker restarting) is an outage; a certificate the CA did not sign is not.
                return Optional.of(new AccessRefused("TLS with Kafka at " + brokers + " failed" + cause
                        + "; check security.protocol and the ssl.truststore.* of kafka.properties (the CA that "
                        + "signed the broker's certificate)"));
            }
            if (t instanceof AuthorizationException) {
                return Optional.of(new AccessRefused("Kafka at " + brokers + " refused access" + cause
                        + "; the user of kafka.properties needs to read and describe kafka.topic (the producer: "
                        + "to write it)"));
            }
        }
        return Optional.empty();
    }

    /** The refusal {@code e} is, from PostgreSQL at {@code server} (host:port) for {@code user}; empty for anything else. */
    public static Optional<AccessRefused> byPostgres(Throwable e, String server, String user) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = String.valueOf(sql.getSQLState());
                String message = firstLine(sql);
                // 28P01 a wrong password, 28000 no pg_hba.conf entry (e.g. one for TLS connections only).
                if (state.equals("28P01") || state.equals("28000")) {
                    return Optional.of(new AccessRefused("PostgreSQL at " + server + " refused the login of "
                            + "postgres.user " + user + " (" + message + "); check postgres.password and the "
                            + "server's pg_hba.conf"));
                }
                // 08004: the server does not support SSL; the host name check fails without an SSLException.
                // A connection reset during the handshake is an SSLException too, and an outage: only a
                // certificate refused (the CA, the host name) is a refusal.
                if (state.equals("08004") || (hasCause(sql, SSLException.class) && certificateRejected(sql))
                        || message.contains("could not be verified by hostnameverifier")) {
                    return Optional.of(new AccessRefused("TLS with PostgreSQL at " + server + " failed ("
                            + RootCause.describe(sql) + "); check sslmode and sslrootcert in postgres.jdbc_url "
                            + "(the CA that signed the server's certificate, a host name it names)"));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the TLS failure {@code e} is a certificate refused: its chain holds a certificate or
     * certification path check's failure (or, where a driver kept only the message, says so).
     */
    static boolean certificateRejected(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException || String.valueOf(t.getMessage()).contains("PKIX path")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> kind) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (kind.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(Throwable t) {
        return String.valueOf(t.getMessage()).lines().findFirst().orElse("");
    }
}

package foodcdc.stack;

import java.util.Map;

/**
 * A secured stack, for the tests of secured clusters: PostgreSQL takes TLS connections only (its
 * certificate from {@code certificates}), and Kafka has one client listener, SASL_SSL with
 * SCRAM-SHA-512 (no plain listener), knowing {@code kafkaUsers} (name to password) and its own
 * inter-broker user.
 */
public record StackSecurity(TestCertificates certificates, Map<String, String> kafkaUsers) {
    public static final String SCRAM = "SCRAM-SHA-512";
    static final String BROKER_USER = "broker";

    public StackSecurity {
        kafkaUsers = Map.copyOf(kafkaUsers);
    }

    /** The broker's own password: not a secret worth keeping, the stack is a test's. */
    String brokerPassword() {
        return "broker-" + certificates.storePassword();
    }

    /** The JAAS line of a SCRAM login, as {@code sasl.jaas.config} takes it. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }
}

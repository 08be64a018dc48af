package foodcdc.stack;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (no ZooKeeper), in its own JVM on the
 * classpath Maven laid out in runtime/kafka/target/libs. It listens on the first address of
 * {@code kafka.brokers}; its controller listener takes a free loopback port.
 */
final class KafkaBroker {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private final StackLayout layout;
    private final PipelineConfig.Kafka kafka;
    private final Optional<StackSecurity> security;

    KafkaBroker(StackLayout layout, PipelineConfig.Kafka kafka, Optional<StackSecurity> security) {
        this.layout = layout;
        this.kafka = kafka;
        this.security = security;
    }

    private Path dir() {
        return layout.stackDir().resolve("kafka");
    }

    /** Starts the broker; it advertises {@code advertisedPort} to clients, or its own port when 0. */
    Daemon.Started start(int advertisedPort) throws IOException, InterruptedException {
        layout.requireBuilt(layout.kafkaLibs());
        Path props = dir().resolve("server.properties");
        Path log4j = dir().resolve("log4j.properties");
        Files.createDirectories(dir());
        int controllerPort;
        do {
            // The broker's own port is not bound yet, so a free port may be that very one.
            controllerPort = Ports.freePort();
        } while (controllerPort == kafka.firstBrokerPort());
        Files.writeString(props, serverProperties(controllerPort, advertisedPort), StandardCharsets.UTF_8);
        Files.writeString(log4j, String.join("\n",
                "log4j.rootLogger=INFO, stdout",
                "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
                "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
                "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
                // The broker is chatty at INFO; keep its own start/stop lines, quiet the rest.
                "log4j.logger.kafka=INFO",
                "log4j.logger.org.apache.kafka=WARN",
                "log4j.logger.state.change.logger=WARN",
                "log4j.logger.kafka.log=WARN",
                "log4j.logger.kafka.cluster=WARN",
                "log4j.logger.kafka.server.metadata=WARN",
                "log4j.logger.kafka.coordinator=WARN",
                ""), StandardCharsets.UTF_8);
        String classpath = layout.kafkaLibs() + "/*";
        if (!Files.exists(dir().resolve("data/meta.properties"))) {
            format(classpath, props);
        }
        List<String> cmd = List.of("java", "-Xms256m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dlog4j.configuration=file:" + log4j, "-Dfoodcdc.stack=" + layout.stackDir(),
                "-cp", classpath, "kafka.Kafka", props.toString());
        Daemon.Started started = Daemon.start("Kafka", cmd, Map.of(), layout.logs().resolve("kafka.log"));
        Daemon.awaitLogLine(started, "Kafka Server started", Duration.ofSeconds(90));
        return started;
    }

    private String serverProperties(int controllerPort, int advertisedPort) {
        String host = kafka.firstBrokerHost();
        int port = kafka.firstBrokerPort();
        String listener = security.isPresent() ? "SASL_SSL" : "PLAINTEXT";
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + listener + "://" + host + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + listener + "://" + host + ":" + (advertisedPort == 0 ? port : advertisedPort),
                "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                security.map(KafkaBroker::securedListener).orElse(""),
                "log.dirs=" + dir().resolve("data"),
                "num.partitions=" + kafka.topicPartitions(),
                // One broker: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                // Topics are created on purpose, with the configured partition count; a typo
                // in a topic name must fail rather than create a stray one-partition topic.
                "auto.create.topics.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    /** The one client listener, SASL_SSL with SCRAM; the broker reaches itself through it too. */
    private static String securedListener(StackSecurity s) {
        TestCertificates c = s.certificates();
        return String.join("\n",
                "sasl.enabled.mechanisms=" + StackSecurity.SCRAM,
                "sasl.mechanism.inter.broker.protocol=" + StackSecurity.SCRAM,
                "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config="
                        + StackSecurity.jaas(StackSecurity.BROKER_USER, s.brokerPassword()),
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=" + c.brokerKeystore(),
                "ssl.keystore.password=" + c.storePassword(),
                "ssl.key.password=" + c.storePassword(),
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + c.kafkaTruststore(),
                "ssl.truststore.password=" + c.storePassword());
    }

    private void format(String classpath, Path props) throws IOException, InterruptedException {
        Path log = layout.logs().resolve("kafka-format.log");
        Files.createDirectories(log.getParent());
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        List<String> cmd = new ArrayList<>(List.of("java", "-cp", classpath, "kafka.tools.StorageTool", "format",
                "-t", clusterId, "-c", props.toString()));
        // SCRAM logins live in the cluster's metadata: the broker's own must be there before it starts.
        security.ifPresent(s -> {
            cmd.addAll(scramUser(StackSecurity.BROKER_USER, s.brokerPassword()));
            s.kafkaUsers().forEach((user, password) -> cmd.addAll(scramUser(user, password)));
        });
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("formatting Kafka storage failed; see " + log + ":\n" + Daemon.tail(log, 20));
        }
    }

    private static List<String> scramUser(String user, String password) {
        return List.of("--add-scram", StackSecurity.SCRAM + "=[name=" + user + ",password=" + password + "]");
    }

    /** Creates the topic with the configured partitions; an existing topic is left as it is. */
    void createTopic() throws IOException, InterruptedException {
        try (Admin admin = Admin.create(KafkaClientProperties.admin(kafka.properties(), Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000)))) {
            try {
                admin.createTopics(Set.of(new NewTopic(kafka.topic(), kafka.topicPartitions(), (short) 1)))
                        .all().get(60, TimeUnit.SECONDS);
                LOG.info("Created topic {} with {} partitions", kafka.topic(), kafka.topicPartitions());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                int partitions = admin.describeTopics(Set.of(kafka.topic())).allTopicNames()
                        .get(60, TimeUnit.SECONDS).get(kafka.topic()).partitions().size();
                if (partitions != kafka.topicPartitions()) {
                    LOG.warn("Topic {} exists with {} partitions, not the configured {}; left as it is",
                            kafka.topic(), partitions, kafka.topicPartitions());
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("could not create topic " + kafka.topic() + " on " + kafka.brokers() + ": "
                    + (e instanceof ExecutionException ? e.getCause() : "no answer within 60 s"), e);
        }
    }
}

#!/usr/bin/env bash
# The compose stack's Kafka broker: Kafka 3.9 in KRaft mode (broker and controller in one JVM),
# on the jars the local stack runs. Its log folder is the kafka-data volume, formatted on
# first start. Two listeners: kafka:9092 for the containers, and 0.0.0.0:9094 advertised as
# $KAFKA_ADVERTISED_HOST:$KAFKA_HOST_PORT, the port compose publishes on the host (kcat, the
# host's scripts).
set -euo pipefail
data=/var/lib/kafka/data
conf=/tmp/kafka
mkdir -p "$data" "$conf"
cat > "$conf/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=INTERNAL://0.0.0.0:9092,HOST://0.0.0.0:9094,CONTROLLER://127.0.0.1:9093
advertised.listeners=INTERNAL://kafka:9092,HOST://${KAFKA_ADVERTISED_HOST:-127.0.0.1}:${KAFKA_HOST_PORT:?set KAFKA_HOST_PORT}
listener.security.protocol.map=INTERNAL:PLAINTEXT,HOST:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
controller.listener.names=CONTROLLER
log.dirs=$data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
PROPERTIES
cat > "$conf/log4j.properties" <<'PROPERTIES'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log=WARN
log4j.logger.kafka.cluster=WARN
log4j.logger.kafka.server.metadata=WARN
log4j.logger.kafka.coordinator=WARN
PROPERTIES
classpath='/app/runtime/kafka/target/libs/*'
if [[ ! -e "$data/meta.properties" ]]; then
  java -cp "$classpath" kafka.tools.StorageTool format -c "$conf/server.properties" \
    -t "$(java -cp "$classpath" kafka.tools.StorageTool random-uuid)"
fi
exec java -Xms256m -Xmx512m -XX:+UseG1GC "-Dlog4j.configuration=file:$conf/log4j.properties" \
  -cp "$classpath" kafka.Kafka "$conf/server.properties"

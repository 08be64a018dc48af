#!/usr/bin/env bash
# Benchmark (not part of the tests): starts its own stack on free ports in a temporary folder,
# runs the latency and backlog scenarios with the real job scripts, prints a table and writes
# the same results as JSON to var/bench/. About 14 minutes with the defaults on 2 cores.
#
#   scripts/bench.sh [--cluster] [--rate N] [--seconds N] [--batch-intervals 5,1] [--backlog N] [--grown-files N] [--no-changes] [--keep]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_local_platform
ensure_built bench/target/orders-bench.jar producer/target/orders-producer.jar consumer/target/orders-consumer.jar \
  runtime/kafka/target/libs runtime/spark/target/home/jars
cd "$ORDERS_REPO"
exec java -Xmx1g -Dorders.home="$ORDERS_REPO" -Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn \
  -cp "$ORDERS_REPO/bench/target/orders-bench.jar:$ORDERS_REPO/bench/target/lib/*" foodcdc.bench.Benchmark "$@"

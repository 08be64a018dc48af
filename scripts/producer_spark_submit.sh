#!/usr/bin/env bash
# Runs the CDC producer (PostgreSQL table -> Kafka topic) with spark-submit semantics, in the
# foreground; Ctrl-C (or SIGTERM) stops it after the poll in progress.
#
#   scripts/producer_spark_submit.sh [--config FILE]       # default configs/orders_stream.yml
#   SPARK_MASTER=spark://127.0.0.1:7077 scripts/producer_spark_submit.sh   # on a cluster
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
spark_submit foodcdc.producer.ProducerJob producer/target/orders-producer.jar "$@"

#!/usr/bin/env bash
# Runs the stream consumer (Kafka topic -> Parquet lake, with quarantine) with spark-submit
# semantics, in the foreground; Ctrl-C (or SIGTERM) stops it, and a restart resumes from the
# checkpoint.
#
#   scripts/consumer_spark_submit.sh [--config FILE]       # default configs/orders_stream.yml
#   SPARK_MASTER=spark://127.0.0.1:7077 scripts/consumer_spark_submit.sh   # on a cluster
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
spark_submit foodcdc.consumer.ConsumerJob consumer/target/orders-consumer.jar "$@"

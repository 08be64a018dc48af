#!/usr/bin/env bash
# Reconciles PostgreSQL, Kafka and the lake and prints what is missing, duplicated, in the
# wrong date partition or quarantined. Exit 0 only when every valid order is in the lake exactly
# once and every invalid one is quarantined; 1 otherwise (the differences are listed).
#
#   scripts/validate_pipeline.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
spark_submit foodcdc.consumer.PipelineValidator consumer/target/orders-consumer.jar "$@"

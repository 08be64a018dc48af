#!/usr/bin/env bash
# Reconciles PostgreSQL, Kafka and the lake and prints what is missing, duplicated, different
# from PostgreSQL, in the wrong date partition or quarantined. Exit 0 only when every valid order
# is in the lake exactly once with PostgreSQL's values, the lake holds nothing else, and every
# invalid one is quarantined with its reason; 1 otherwise (the differences are listed); 2 for a
# bad config; 3 when PostgreSQL, Kafka or the lake cannot be read (one line says why).
#
#   scripts/validate_pipeline.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
# The table and the lake are compared in memory, ~700 bytes per order: 2 GB fit ~2M orders.
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-2g}"
spark_submit foodcdc.validator.PipelineValidator validator/target/orders-validator.jar "$@"

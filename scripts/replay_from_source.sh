#!/usr/bin/env bash
# With both jobs stopped: makes their next run carry the whole table into the lake again, the
# remedy when Kafka no longer has events the consumer had not read (retention, a topic created
# anew, a broker's crash). Deletes the producer's watermark, the consumer's checkpoint and the
# lake's topic record; the lake keeps every file and the consumer drops the copies. Exit 3 while
# a job runs (nothing is changed then).
#
#   scripts/replay_from_source.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[1]}"
spark_submit foodcdc.consumer.ReplayFromSource consumer/target/orders-consumer.jar "$@"

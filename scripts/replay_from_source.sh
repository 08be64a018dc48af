#!/usr/bin/env bash
# With both jobs stopped: makes their next run carry the whole table into the lake again, the
# remedy when Kafka no longer has events the consumer had not read (retention, a topic created
# anew, a broker's crash). Deletes the producer's watermark and the consumer's checkpoint and
# clears the topic's id from the lake's topic record; the lake keeps every file and the consumer
# drops the copies. In change capture mode it replays the change table into the change history.
# Exit 3 while a job runs, or with the other capture mode's config (nothing is changed then).
#
#   scripts/replay_from_source.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[1]}"
spark_submit foodcdc.consumer.ReplayFromSource consumer/target/orders-consumer.jar "$@"

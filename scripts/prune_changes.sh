#!/usr/bin/env bash
# Change capture mode (streaming.capture: changes): deletes from the change table the changes
# the change history (or its quarantine) holds, so that it does not grow for ever. Run it now
# and then (cron), as a role that may delete from the change table (db/producer_role.sql).
#
#   scripts/prune_changes.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-2g}"
spark_submit foodcdc.validator.PruneChanges validator/target/orders-validator.jar "$@"

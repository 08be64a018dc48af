#!/usr/bin/env bash
# After the source database moved with its data (a dump and restore to another server,
# pg_upgrade, a snapshot restore) and the producer refused it as another source: checks that the
# table holds every order of the lake with the lake's values, then records it as the lake's
# source. Exit 0 when accepted; 3 when it is not the lake's data (nothing is changed: start a new
# lake) or a store cannot be read.
#
#   scripts/accept_source.sh [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export SPARK_MASTER="${SPARK_MASTER:-local[2]}"
export SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-2g}"
spark_submit foodcdc.validator.AcceptSource validator/target/orders-validator.jar "$@"

#!/usr/bin/env bash
# Starts, stops or shows the pipeline's local services, no Docker needed:
# PostgreSQL (with the table and sample orders), a KRaft Kafka broker (with the topic), and
# with --cluster a Spark standalone master and worker. Data and logs: var/stack/<config name>/.
#
#   scripts/local_stack.sh start  [--config FILE] [--cluster]
#   scripts/local_stack.sh status [--config FILE]
#   scripts/local_stack.sh stop   [--config FILE]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_local_platform
local_stack "$@"

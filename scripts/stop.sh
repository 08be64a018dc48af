#!/usr/bin/env bash
# Stops the Docker stack (docker compose down); the lake and checkpoints stay in ./var/.
#   scripts/stop.sh [--config FILE] [docker compose down options, e.g. -v]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[[ "${1:-}" == "--config" ]] && shift 2
cd "$ORDERS_REPO"
docker compose down "$@"

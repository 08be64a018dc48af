#!/usr/bin/env bash
# Builds the jars on the host (the containers run them), then starts the Docker stack:
# PostgreSQL, Kafka, a Spark master and worker, the producer and the consumer.
#   scripts/start.sh [--config FILE] [docker compose up options, e.g. --scale spark-worker=3]
# The config must be the one the containers mount (configs/orders_stream.yml by default).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ "${1:-}" == "--config" ]]; then
  [[ "$2" -ef "$ORDERS_REPO/configs/orders_stream.yml" ]] || {
    echo "start.sh: the Docker stack uses configs/orders_stream.yml (mounted); edit it, or use ORDERS_* in docker-compose.yml" >&2
    exit 2
  }
  shift 2
fi
ensure_built producer/target/orders-producer.jar consumer/target/orders-consumer.jar runtime/spark/target/home/jars
cd "$ORDERS_REPO"
mkdir -p var/docker   # the lake, checkpoints and watermark; owned by you, not by Docker's root
docker compose up -d "$@"
docker compose ps

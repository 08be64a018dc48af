#!/usr/bin/env bash
# The compose stack's Prometheus (Debian's package, in the one image): scrapes both jobs and
# evaluates the alert rules of monitoring/prometheus/ (docs/MONITORING.md); its data in the
# prometheus-data volume.
set -euo pipefail
exec /usr/bin/prometheus --config.file=monitoring/prometheus/prometheus.yml \
  --storage.tsdb.path=/var/lib/prometheus/data --web.listen-address=0.0.0.0:9090

#!/usr/bin/env bash
# Runs every test: mvn -B verify (arguments are passed on, e.g. -Dit.test=ComposeIT).
# ComposeIT runs the Docker stack for real on Debian's podman, and MetricsIT a real Prometheus;
# on Debian or Ubuntu this first installs what they need when missing (podman, runc,
# docker-compose, debootstrap, prometheus with its promtool; as root, or with sudo). ComposeIT itself runs as root (rootful podman, as on this project's CI machines)
# and never changes podman's own settings or images (docs/DOCKER.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
require_local_platform   # the integration tests run the local stack
export PATH="$PATH:/usr/sbin:/sbin"   # debootstrap and runc live there
missing=()
for tool in podman runc docker-compose debootstrap prometheus promtool; do
  package=${tool/promtool/prometheus}   # the package's name; promtool comes with prometheus
  command -v "$tool" > /dev/null || [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
if (( ${#missing[@]} )); then
  echo "run_tests.sh: installing ${missing[*]} for ComposeIT and MetricsIT (apt-get)" >&2
  sudo=()
  (( $(id -u) == 0 )) || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
exec mvn -B verify "$@"

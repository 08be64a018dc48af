#!/usr/bin/env bash
# Runs every test: mvn -B verify (arguments are passed on, e.g. -Dit.test=ComposeIT).
# ComposeIT runs the Docker stack for real on Debian's podman; on Debian or Ubuntu this first
# installs what it needs when missing (podman, runc, docker-compose, debootstrap; as root, or
# with sudo). ComposeIT itself runs as root (rootful podman, as on this project's CI machines)
# and never changes podman's own settings or images (docs/DOCKER.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh
require_local_platform   # the integration tests run the local stack
export PATH="$PATH:/usr/sbin:/sbin"   # debootstrap and runc live there
missing=()
for tool in podman runc docker-compose debootstrap; do
  command -v "$tool" > /dev/null || missing+=("$tool")
done
if (( ${#missing[@]} )); then
  echo "run_tests.sh: installing ${missing[*]} for ComposeIT (apt-get)" >&2
  sudo=()
  (( $(id -u) == 0 )) || sudo=(sudo)
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc docker-compose debootstrap
fi
exec mvn -B verify "$@"

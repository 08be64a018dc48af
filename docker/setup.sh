#!/usr/bin/env bash
# The compose stack's one-shot setup service, and the config values the postgres container
# needs (foodcdc.stack.ContainerSetup): docker/setup.sh setup|credentials
set -euo pipefail
source /app/scripts/lib.sh
run_stack_tool foodcdc.stack.ContainerSetup "$@"

#!/usr/bin/env bash
# Inserts test orders into the configured table (created_at from the database):
#   scripts/insert_test_data.sh [--config FILE]             # the 5 orders of db/insert_test_data.sql
#   scripts/insert_test_data.sh [--config FILE] --count N   # N random, realistic orders
#   scripts/insert_test_data.sh [--config FILE] --advance N # N orders to their next status, one deleted
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
run_stack_tool foodcdc.stack.InsertTestDataCli "$@"

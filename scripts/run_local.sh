#!/usr/bin/env bash
# Runs the whole pipeline on this machine, no Docker: builds what is missing, starts the local
# stack (PostgreSQL with sample orders, Kafka), then the producer and the consumer, and shows
# their logs, labelled, in the foreground. Ctrl-C stops both jobs and the stack.
#
#   scripts/run_local.sh [--config FILE] [--cluster]
#
# --cluster also starts a Spark standalone master and worker and submits both jobs to it;
# without it the jobs run in local mode.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

config="$ORDERS_REPO/configs/orders_stream.yml"
cluster=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --config) config="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"; shift 2 ;;
    --cluster) cluster=(--cluster); shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run_local.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

require_local_platform
ensure_built stack/target/orders-local-stack.jar producer/target/orders-producer.jar \
  consumer/target/orders-consumer.jar validator/target/orders-validator.jar runtime/kafka/target/libs \
  runtime/spark/target/home/jars

jobs_pids=()
stopping=0
stop_all() {
  [[ $stopping -eq 1 ]] && return
  stopping=1
  # A second Ctrl-C must not cut the stop short and leave PostgreSQL and Kafka running: ignore
  # it here and in what is started from here on (an ignored signal stays ignored across exec).
  trap '' INT TERM
  echo "[run_local] stopping the jobs and the stack (bounded: at most ~2 minutes)..."
  for pid in "${jobs_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${jobs_pids[@]}"; do
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  "$ORDERS_REPO/scripts/local_stack.sh" stop --config "$config" 2>&1 | sed 's/^/[run_local] /'
}
trap stop_all EXIT
trap 'exit 130' INT TERM

stack_output=$(mktemp)
"$ORDERS_REPO/scripts/local_stack.sh" start --config "$config" "${cluster[@]}" 2>&1 | tee "$stack_output" | sed 's/^/[stack] /'
metrics=$(sed -n 's/^metrics: *//p' "$stack_output")
rm -f "$stack_output"
if [[ ${#cluster[@]} -gt 0 ]]; then
  SPARK_MASTER=$("$ORDERS_REPO/scripts/local_stack.sh" status --config "$config" | awk '$1 == "spark-master" {print $5}')
  # The worker has 2 cores: one for each job, or the first would take both.
  export SPARK_MASTER SPARK_CORES_MAX="${SPARK_CORES_MAX:-1}"
fi

# Each job's output, line by line, labelled; $! is the job itself (the script execs java).
# The labellers ignore Ctrl-C so that the jobs' last lines still get through.
"$ORDERS_REPO/scripts/producer_spark_submit.sh" --config "$config" > >(trap '' INT; exec sed -u 's/^/[producer] /') 2>&1 &
jobs_pids+=($!)
"$ORDERS_REPO/scripts/consumer_spark_submit.sh" --config "$config" > >(trap '' INT; exec sed -u 's/^/[consumer] /') 2>&1 &
jobs_pids+=($!)

rel_config="${config#"$ORDERS_REPO"/}"
cat <<INFO
[run_local] The pipeline is running (Spark master: ${SPARK_MASTER:-local[*]}). Ctrl-C stops everything.
[run_local]   lake:         datalake.path of $rel_config (Parquet, date=YYYY-MM-DD/), quarantine beside it (_quarantine)
[run_local]   Spark UIs:    http://127.0.0.1:4040 and http://127.0.0.1:4041 (one per job: whichever starts first takes 4040; the UI title names it)
[run_local]   metrics:      $metrics
[run_local]   add orders:   scripts/insert_test_data.sh --config $rel_config   (or --count 100)
[run_local]   check:        scripts/validate_pipeline.sh --config $rel_config
INFO

# Stay in the foreground until a job ends (or Ctrl-C); then stop everything.
wait -n "${jobs_pids[@]}" || true
echo "[run_local] a job ended; see its last lines above."

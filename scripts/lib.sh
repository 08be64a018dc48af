# Shared by the scripts: the repository root, and building what is missing.
# shellcheck shell=bash

ORDERS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The local stack runs PostgreSQL from Maven's linux-amd64 binaries (io.zonky.test.postgres),
# starts its servers with setsid and, as root, PostgreSQL under unshare: anywhere else, say so
# at once, in one line, and point at the compose stack, which runs wherever containers do.
require_local_platform() {
  local os arch missing=""
  os="$(uname -s)"
  arch="$(uname -m)"
  command -v setsid > /dev/null || missing+=", no setsid"
  # As root, PostgreSQL runs in a user namespace: unshare must exist and be allowed here.
  if (( $(id -u) == 0 )) && ! unshare -U true 2> /dev/null; then missing+=", unshare -U refused"; fi
  if [[ "$os" != Linux || "$arch" != x86_64 || -n "$missing" ]]; then
    echo "$(basename "$0"): the local stack runs on Linux x86_64 with setsid, and as root with unshare -U" \
      "(this is $os $arch$missing); use the compose stack instead: docker compose up -d (README.md, \"In Docker\")" >&2
    exit 3
  fi
}

# Builds the jars and lays out the Spark and Kafka runtimes when any of the given files or
# folders (relative to the repository) is missing: a fresh clone's first run takes a few
# minutes, mostly downloads. Each script names only what it needs.
ensure_built() {
  local needed
  for needed in "$@"; do
    if [[ ! -e "$ORDERS_REPO/$needed" ]]; then
      echo "Building (first run: downloads Spark, Kafka and PostgreSQL from Maven Central)..." >&2
      (cd "$ORDERS_REPO" && mvn -B -q -DskipTests package) >&2
      return
    fi
  done
}

# Runs a command-line tool of the stack module (JDBC, Kafka client; no Spark), from the
# repository root, with --config made absolute first.
run_stack_tool() {
  local main_class=$1
  shift
  ensure_built stack/target/orders-local-stack.jar runtime/kafka/target/libs runtime/spark/target/home/jars
  absolute_config_args "$@"
  (cd "$ORDERS_REPO" && java -Dfoodcdc.home="$ORDERS_REPO" \
      -cp "$ORDERS_REPO/stack/target/orders-local-stack.jar:$ORDERS_REPO/stack/target/lib/*" \
      "$main_class" "${CONFIG_ARGS[@]}")
}

# Runs the local stack tool; all arguments are passed through.
local_stack() {
  run_stack_tool foodcdc.stack.LocalStackCli "$@"
}

# Arguments with --config FILE made absolute, since the jobs run from the repository root
# (where the shipped config's relative paths point). Sets the array CONFIG_ARGS.
absolute_config_args() {
  CONFIG_ARGS=()
  while [[ $# -gt 0 ]]; do
    if [[ "$1" == "--config" && $# -ge 2 ]]; then
      CONFIG_ARGS+=("--config" "$(cd "$(dirname "$2")" && pwd)/$(basename "$2")")
      shift 2
    else
      CONFIG_ARGS+=("$1")
      shift
    fi
  done
}

# spark-submit without a Spark download: Spark's own SparkSubmit on the jars Maven laid out in
# runtime/spark/target/home. The master comes from SPARK_MASTER (default local[*]); the driver
# heap from SPARK_DRIVER_MEMORY (default 1g); the driver listens on SPARK_LOCAL_IP (default
# 127.0.0.1) and executors reach it at SPARK_DRIVER_HOST (default the same); on a cluster, SPARK_CORES_MAX caps the cores the
# job takes (so two jobs can share a small cluster), and SPARK_SHIP_KAFKA_CONNECTOR=true sends
# the Kafka connector jars to executors whose Spark lacks them (a stock Spark distribution or
# image); SPARK_SUBMIT_ARGS adds any other spark-submit options (split on spaces, e.g.
# "--packages org.apache.hadoop:hadoop-aws:3.3.4 --executor-memory 2g"). Every JVM of the job
# runs in UTC.
spark_submit() {
  local main_class=$1 jar=$2
  shift 2
  ensure_built "$jar" runtime/spark/target/home/jars
  absolute_config_args "$@"
  local spark_home="$ORDERS_REPO/runtime/spark/target/home"
  export SPARK_HOME="$spark_home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  local extra=()
  [[ -n "${SPARK_CORES_MAX:-}" ]] && extra+=(--conf "spark.cores.max=$SPARK_CORES_MAX")
  if [[ "${SPARK_SHIP_KAFKA_CONNECTOR:-}" == "true" ]]; then
    local connector
    connector=$(cd "$spark_home/jars" && ls spark-sql-kafka-0-10_*.jar spark-token-provider-kafka-0-10_*.jar \
      kafka-clients-*.jar commons-pool2-*.jar | sed "s|^|$spark_home/jars/|" | paste -sd, -)
    extra+=(--jars "$connector")
  fi
  if [[ -n "${SPARK_SUBMIT_ARGS:-}" ]]; then
    local user_args
    read -r -a user_args <<< "$SPARK_SUBMIT_ARGS"
    extra+=("${user_args[@]}")
  fi
  cd "$ORDERS_REPO"
  exec java "@$ORDERS_REPO/runtime/spark/java17-opens.args" \
    "-Xmx${SPARK_DRIVER_MEMORY:-1g}" -Duser.timezone=UTC \
    "-Dlog4j2.configurationFile=$ORDERS_REPO/runtime/spark/log4j2.properties" \
    -cp "$spark_home/jars/*" org.apache.spark.deploy.SparkSubmit \
    --master "${SPARK_MASTER:-local[*]}" \
    --class "$main_class" \
    --conf spark.driver.host="${SPARK_DRIVER_HOST:-$SPARK_LOCAL_IP}" \
    --conf spark.driver.bindAddress="$SPARK_LOCAL_IP" \
    --conf spark.sql.session.timeZone=UTC \
    --conf spark.executor.extraJavaOptions=-Duser.timezone=UTC \
    "${extra[@]}" \
    "$ORDERS_REPO/$jar" "${CONFIG_ARGS[@]}"
}

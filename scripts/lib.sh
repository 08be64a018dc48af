# Shared by the scripts: the repository root, and building what is missing.
# shellcheck shell=bash

ORDERS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Builds the jars and lays out the Spark and Kafka runtimes when any of them is missing
# (first run on a fresh clone: a few minutes, mostly downloads).
ensure_built() {
  if [[ ! -f "$ORDERS_REPO/stack/target/orders-local-stack.jar" \
     || ! -d "$ORDERS_REPO/runtime/kafka/target/libs" \
     || ! -d "$ORDERS_REPO/runtime/spark/target/home/jars" ]]; then
    echo "Building (first run: downloads Spark, Kafka and PostgreSQL from Maven Central)..." >&2
    (cd "$ORDERS_REPO" && mvn -B -q -DskipTests package) >&2
  fi
}

# Runs the local stack tool; all arguments are passed through.
local_stack() {
  ensure_built
  (cd "$ORDERS_REPO" && java -Dfoodcdc.home="$ORDERS_REPO" \
      -cp "$ORDERS_REPO/stack/target/orders-local-stack.jar:$ORDERS_REPO/stack/target/lib/*" \
      foodcdc.stack.LocalStackCli "$@")
}

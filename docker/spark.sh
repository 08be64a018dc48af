#!/usr/bin/env bash
# The compose stack's Spark 3.5 standalone cluster, on the jars the local stack runs:
#   docker/spark.sh master    the master, spark://spark-master:7077, web UI on 8080; it keeps
#                             its workers and applications in /var/lib/spark-recovery (a
#                             volume), so that after a restart the jobs' executors go on
#   docker/spark.sh worker    a worker of SPARK_WORKER_CORES cores and SPARK_WORKER_MEMORY for
#                             executors; it starts one executor JVM per job it serves
set -euo pipefail
jars="$SPARK_HOME/jars/*"
java_opts=(-Xmx256m @/app/runtime/spark/java17-opens.args
  -Dlog4j2.configurationFile=/app/runtime/spark/log4j2.properties -Duser.timezone=UTC)
case "${1:-}" in
  master)
    mkdir -p /var/lib/spark-recovery
    # Spark writes each file in place: one a crash left empty would keep the master from
    # recovering at all (it would stay in STANDBY). Without it, that worker or job registers anew.
    find /var/lib/spark-recovery -type f -empty -print -delete | sed 's/^/Removed empty recovery file /'
    exec java "${java_opts[@]}" -Dspark.deploy.recoveryMode=FILESYSTEM \
      -Dspark.deploy.recoveryDirectory=/var/lib/spark-recovery \
      -cp "$jars" org.apache.spark.deploy.master.Master \
      --host spark-master --port 7077 --webui-port 8080 ;;
  worker)
    mkdir -p /tmp/spark-work
    exec java "${java_opts[@]}" -cp "$jars" org.apache.spark.deploy.worker.Worker \
      --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-2g}" \
      --work-dir /tmp/spark-work spark://spark-master:7077 ;;
  *) echo "usage: docker/spark.sh master|worker" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, from the build's own jars (no Spark download):
# one master and N workers, each a separate JVM on 127.0.0.1. For trying cluster mode on one machine
# and for the cluster tests.
#
#   scripts/cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY]   (defaults: 2 1 3g)
#   scripts/cluster.sh status
#   scripts/cluster.sh stop
#   ./submit.sh train conf/default.conf --master spark://127.0.0.1:7077
#
# Environment: BNSCOPE_CLUSTER_DIR (default .cluster/), BNSCOPE_MASTER_PORT (7077), BNSCOPE_WEB_PORT (8080).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
state="${BNSCOPE_CLUSTER_DIR:-$here/.cluster}"
port="${BNSCOPE_MASTER_PORT:-7077}"
web="${BNSCOPE_WEB_PORT:-8080}"
lib="$here/jobs/target/lib"
jar="$here/jobs/target/bnscope-jobs.jar"

opens="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"

spark_home() {
  # The Worker starts executor JVMs with the jars in $SPARK_HOME/jars: link the build's classpath there.
  mkdir -p "$state/spark-home/jars" "$state/spark-home/conf"
  rm -f "$state/spark-home/jars/"*.jar
  ln -s "$lib"/*.jar "$state/spark-home/jars/"
  ln -s "$here"/core/target/bnscope-core-*.jar "$here"/analysis/target/bnscope-analysis-*.jar "$jar" "$state/spark-home/jars/" 2>/dev/null || true
  rm -f "$state/spark-home/jars/"*-tests.jar
}

wait_port() { # host port seconds
  for _ in $(seq 1 "$3"); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
    sleep 1
  done
  return 1
}

start() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-3g}"
  [ -f "$jar" ] && [ -d "$lib" ] || { echo "cluster.sh: build first: mvn -B -q -DskipTests package" >&2; exit 2; }
  if [ -f "$state/master.pid" ] && kill -0 "$(cat "$state/master.pid")" 2>/dev/null; then
    echo "cluster.sh: already running (spark://127.0.0.1:$port); 'scripts/cluster.sh stop' first" >&2; exit 2
  fi
  mkdir -p "$state/logs" "$state/work"
  spark_home
  export SPARK_HOME="$state/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
  local cp="$state/spark-home/jars/*"
  nohup java -Xmx512m $opens -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$web" >"$state/logs/master.log" 2>&1 &
  echo $! >"$state/master.pid"
  wait_port 127.0.0.1 "$port" 60 || { echo "cluster.sh: master did not start; see $state/logs/master.log" >&2; exit 1; }
  for i in $(seq 1 "$workers"); do
    nohup java -Xmx512m $opens -cp "$cp" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --work-dir "$state/work/worker-$i" \
      --webui-port $((web + i)) "spark://127.0.0.1:$port" >"$state/logs/worker-$i.log" 2>&1 &
    echo $! >"$state/worker-$i.pid"
  done
  # Wait until every worker has registered with the master.
  for _ in $(seq 1 60); do
    n=$(grep -c "Registering worker" "$state/logs/master.log" 2>/dev/null || true)
    [ "${n:-0}" -ge "$workers" ] && { echo "spark://127.0.0.1:$port ($workers workers x $cores cores)"; return 0; }
    sleep 1
  done
  echo "cluster.sh: workers did not register; see $state/logs/" >&2; exit 1
}

stop() {
  for f in "$state"/worker-*.pid "$state"/master.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  # executors are children of the workers; make sure none outlives them
  pkill -f "CoarseGrainedExecutorBackend.*spark://CoarseGrainedScheduler@127.0.0.1" 2>/dev/null || true
  echo "stopped"
}

status() {
  for f in "$state"/master.pid "$state"/worker-*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f"); if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$f" .pid) running (pid $pid)"; else echo "$(basename "$f" .pid) dead"; fi
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac

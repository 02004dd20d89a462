#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, from the build's own jars (no Spark download):
# one master and N workers, each a separate JVM on 127.0.0.1. For trying cluster mode on one machine
# and for the cluster tests (docs/cluster.md).
#
#   scripts/cluster.sh start [WORKERS] [CORES_PER_WORKER] [MEMORY]   (defaults: 2 1 3g)
#   scripts/cluster.sh status
#   scripts/cluster.sh stop
#   ./submit.sh train conf/default.conf --master spark://127.0.0.1:7077
#
# Environment:
#   BNSCOPE_CLUSTER_DIR        state: pid files, logs, executor work dirs, spark-home/ (default .cluster/)
#   BNSCOPE_MASTER_PORT        master RPC port (default 7077)
#   BNSCOPE_WEB_PORT           master web UI port, also used to check the workers registered (default 8080);
#                              worker web UIs take free ports (listed in the master's UI)
#   BNSCOPE_CLUSTER_CLASSPATH  ':'-separated jars the daemons and executors run from
#                              (default: jobs/target/bnscope-jobs.jar and jobs/target/lib/*.jar)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
state="${BNSCOPE_CLUSTER_DIR:-$here/.cluster}"
port="${BNSCOPE_MASTER_PORT:-7077}"
web="${BNSCOPE_WEB_PORT:-8080}"
lib="$here/jobs/target/lib"
jar="$here/jobs/target/bnscope-jobs.jar"

# The JVM opens Spark needs on Java 17: their one list, passed to java as an argument file.
opens="@$here/jobs/src/main/resources/bnscope/jvm-options.txt"

die() { echo "cluster.sh: $*" >&2; exit 1; }

classpath_jars() {
  if [ -n "${BNSCOPE_CLUSTER_CLASSPATH:-}" ]; then
    tr ':' '\n' <<<"$BNSCOPE_CLUSTER_CLASSPATH" | sed '/^$/d'
  else
    [ -f "$jar" ] && [ -d "$lib" ] || die "build first: mvn -B -q -DskipTests package (or set BNSCOPE_CLUSTER_CLASSPATH)"
    echo "$jar"
    ls "$lib"/*.jar
  fi
}

spark_home() {
  # The Worker starts executor JVMs with `-cp $SPARK_HOME/conf:$SPARK_HOME/jars/*`: link the classpath there.
  # Links (not copies) so a rebuild reaches the next application's executors without a restart.
  rm -rf "$state/spark-home"
  mkdir -p "$state/spark-home/jars" "$state/spark-home/conf"
  local entry name
  while IFS= read -r entry; do
    [ -f "$entry" ] && [[ "$entry" == *.jar ]] || die "classpath entry $entry is not a jar file; executors load only jars from SPARK_HOME/jars (pack class directories into a jar first)"
    name="$(basename "$entry")"
    # two jars with one file name (different groups) must both stay on the classpath
    [ -e "$state/spark-home/jars/$name" ] && name="$(printf '%s' "$entry" | cksum | cut -d' ' -f1)-$name"
    ln -s "$entry" "$state/spark-home/jars/$name"
  done < <(classpath_jars)
  [ -n "$(ls "$state/spark-home/jars")" ] || die "empty classpath"
  # The daemons' own log (INFO: registrations, executor launches and exits); executors keep bnscope's.
  cat >"$state/daemon-log4j2.properties" <<'EOF'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
EOF
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

alive_workers() { # from the master's JSON status page; bash only (no curl needed)
  local reply
  reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$web" && printf 'GET /json/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && cat <&3) 2>/dev/null || true)"
  sed -n 's/.*"aliveworkers" *: *\([0-9]*\).*/\1/p' <<<"$reply" | head -n 1
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-3g}"
  running "$state/master.pid" && die "already running (see $state; 'scripts/cluster.sh stop' first)"
  port_open "$port" && die "port $port is taken; set BNSCOPE_MASTER_PORT"
  port_open "$web" && die "port $web is taken; set BNSCOPE_WEB_PORT"
  mkdir -p "$state/logs" "$state/executors"
  spark_home
  # Executors inherit this environment from their Worker: they bind to loopback and find their jars.
  export SPARK_HOME="$state/spark-home" SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP=127.0.0.1
  local cp="$state/spark-home/jars/*" daemon=(java -Xmx512m "$opens" "-Dlog4j2.configurationFile=$state/daemon-log4j2.properties")
  nohup "${daemon[@]}" -cp "$cp" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$web" >"$state/logs/master.log" 2>&1 &
  echo $! >"$state/master.pid"
  echo "spark://127.0.0.1:$port" >"$state/master.url"
  for i in $(seq 1 "$workers"); do
    nohup "${daemon[@]}" -cp "$cp" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores "$cores" --memory "$memory" --work-dir "$state/executors/worker-$i" \
      --webui-port 0 "spark://127.0.0.1:$port" >"$state/logs/worker-$i.log" 2>&1 &
    echo $! >"$state/worker-$i.pid"
  done
  # Workers retry until the master is up; wait until all of them are registered and alive.
  local n=""
  for _ in $(seq 1 180); do
    n="$(alive_workers)"
    # an empty answer is a master whose status page is not up yet (matters for 0 workers)
    [ -n "$n" ] && [ "$n" -ge "$workers" ] && { echo "spark://127.0.0.1:$port ($workers workers x $cores cores, $memory each)"; return 0; }
    running "$state/master.pid" || break
    sleep 1
  done
  stop >/dev/null
  die "only ${n:-0} of $workers workers registered; see $state/logs/"
}

children() { pgrep -P "$1" 2>/dev/null || true; }

stop_pid() { # pid: SIGTERM, then SIGKILL after 10 s
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 1 20); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.5; done
  kill -9 "$1" 2>/dev/null || true
}

stop() {
  local f pid executors=()
  for f in "$state"/worker-*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    # Executors are the Workers' child JVMs: remember them, as a killed Worker may leave them behind.
    for c in $(children "$pid"); do executors+=("$c"); done
    stop_pid "$pid"
    rm -f "$f"
  done
  for pid in ${executors[@]+"${executors[@]}"}; do stop_pid "$pid"; done
  if [ -f "$state/master.pid" ]; then stop_pid "$(cat "$state/master.pid")"; rm -f "$state/master.pid"; fi
  rm -f "$state/master.url"
  echo "stopped"
}

status() {
  local f any=1
  for f in "$state"/master.pid "$state"/worker-*.pid; do
    [ -f "$f" ] || continue
    any=0
    if running "$f"; then echo "$(basename "$f" .pid) running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid) dead (pid $(cat "$f"))"; fi
  done
  [ "$any" = 0 ] || { echo "not running ($state)"; return 3; }
  running "$state/master.pid" && echo "$(cat "$state/master.url"): $(alive_workers) alive workers; web UI http://127.0.0.1:$web"
  return 0
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,18p' "$0"; exit 2 ;;
esac

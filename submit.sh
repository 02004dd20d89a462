#!/usr/bin/env bash
# bnscope's one entry point. With no arguments: the main job (conf/default.conf: train, analyze, report)
# on an embedded local Spark. `./submit.sh --help` lists every command.
#
# Cluster use: `--master spark://HOST:7077` submits through $SPARK_HOME/bin/spark-submit when SPARK_HOME
# is set (the cluster jar, built with `mvn -Pcluster package`), otherwise the embedded driver connects to
# that master directly (the executors must have bnscope's jars, as the scripts/cluster.sh cluster does).
set -euo pipefail
# Paths on the command line and in config files are relative to the directory you run this from.
here="$(cd "$(dirname "$0")" && pwd)"

jar="$here/jobs/target/bnscope-jobs.jar"
needs_build() {
  [ -f "$jar" ] || return 0
  # after `mvn -Pcluster package` the local jar's class path lacks Spark: rebuild it
  ls "$here"/jobs/target/lib/spark-core_* >/dev/null 2>&1 || return 0
  # only what goes into the jar: a changed test does not rebuild
  [ -n "$(cd "$here" && find pom.xml core jobs analysis -newer "$jar" -not -path '*/src/test/*' \
    \( -name '*.java' -o -name 'pom.xml' -o -path '*/resources/*' \) -type f 2>/dev/null | head -n 1)" ]
}
if needs_build; then
  echo "bnscope: building (mvn -B -q -DskipTests package; the first build downloads ~0.6 GB of jars)..." >&2
  rm -f "$jar"  # maven-jar-plugin keeps a stale manifest class path when only poms changed
  (cd "$here" && mvn -B -q -DskipTests package) >&2
fi

# Fast DL4J CPU path (docs/performance.md) and the JVM opens Spark needs on Java 17: the opens come from
# their one list, jobs/src/main/resources/bnscope/jvm-options.txt (one option a line, '#' comments).
mapfile -t opens < <(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
  "$here/jobs/src/main/resources/bnscope/jvm-options.txt")
jvm_opts=(
  -Dorg.eclipse.deeplearning4j.helpers.disable=false
  -Dorg.bytedeco.javacpp.platform.extension="${BNSCOPE_PLATFORM_EXTENSION:--onednn}"
  "${opens[@]}"
)

master=""
prev=""
for a in "$@"; do
  [ "$prev" = "--master" ] && master="$a"
  case "$a" in --master=*) master="${a#--master=}" ;; esac
  prev="$a"
done

if [ -n "$master" ] && [ -n "${SPARK_HOME:-}" ] && [ -x "$SPARK_HOME/bin/spark-submit" ]; then
  cluster_jar="$here/jobs/target/bnscope-jobs-cluster.jar"
  if [ ! -f "$cluster_jar" ]; then
    echo "bnscope: building the cluster jar (mvn -Pcluster package)..." >&2
    (cd "$here" && mvn -B -q -Pcluster -DskipTests package) >&2
  fi
  exec "$SPARK_HOME/bin/spark-submit" --master "$master" --class bnscope.jobs.Main \
    --conf "spark.executor.extraJavaOptions=${jvm_opts[*]}" \
    --driver-java-options "${jvm_opts[*]}" "$cluster_jar" "$@"
fi

# Local Spark: each worker task runs native kernels on its own core, so one OpenMP thread per task.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

# Class-data archive (AppCDS): the classes every command loads at start-up (Spark, Hadoop, Parquet),
# stored once per build by bnscope.jobs.ClassDataWarmUp and mapped by every later JVM instead of being
# read and verified from the jars again (docs/performance.md, "Start-up"). BNSCOPE_CDS=0 turns it off.
cds="$here/jobs/target/bnscope-jobs.jsa"
cds_opts=()
use_cds="${BNSCOPE_CDS:-1}"
# JDK 17 crashes (SIGSEGV in KlassFactory::check_shared_class_file_load_hook) when a JFR recording started
# with the JVM, or an agent, meets this archive; such a run goes without it (JFR.start by jcmd later is fine).
case " ${BNSCOPE_JAVA_OPTS:-} ${JAVA_TOOL_OPTIONS:-} ${JDK_JAVA_OPTIONS:-} " in
  *StartFlightRecording*|*-javaagent*|*-agentlib*|*-agentpath*) use_cds=0 ;;
esac
if [ "$use_cds" != 0 ]; then
  if [ ! -f "$cds" ] || [ "$jar" -nt "$cds" ]; then
    echo "bnscope: storing the start-up classes in a class-data archive (once per build, ~25 s)..." >&2
    tmp="$cds.$$.tmp"  # private names, moved into place: two first runs at once do not share a half-written file
    made=0
    java -Xmx2g "${jvm_opts[@]}" -XX:ArchiveClassesAtExit="$tmp" -cp "$jar" bnscope.jobs.ClassDataWarmUp \
      >"$tmp.log" 2>&1 && [ -s "$tmp" ] && made=1
    mv -f "$tmp.log" "$cds.log"
    if [ "$made" = 1 ]; then
      mv -f "$tmp" "$cds"
    else
      rm -f "$tmp"
      echo "bnscope: the class-data archive could not be created (log: $cds.log); going on without it (slower start-up)" >&2
    fi
  fi
  # An archive the JVM cannot use (another JDK, other heap settings) only costs its warning, on stderr, not stdout.
  [ -f "$cds" ] && cds_opts=(-XX:SharedArchiveFile="$cds" -Xlog:disable -Xlog:all=warning:stderr)
fi
exec java ${BNSCOPE_JAVA_OPTS:--Xmx8g} "${jvm_opts[@]}" "${cds_opts[@]}" -Dbnscope.home="$here" -jar "$jar" "$@"

#!/usr/bin/env bash
# bnscope's benchmark: measures, in ONE run, training step speed (single JVM, Spark local[2] and the
# libtorch peer on the same network), probe overhead and ics_vectors storage, and (over)writes
# BENCHMARKS.md at the repository root with the figures, the machine, its load, the date and the
# git commit. Every ratio in BENCHMARKS.md divides figures of this same run: the machine is shared
# and noisy, so never divide figures from different runs.
#
# Usage: scripts/benchmark.sh [--quick]
#   --quick   fewer steps everywhere: a smoke test of the script (~9 min); its figures are rough
#
# Takes ~15-20 minutes on 2 cores. Builds first (mvn package; the first build downloads dependencies).
# The libtorch peer (../shared/peer/torch-bench/run.sh, beside the repository) downloads ~200 MB of
# jars from Maven Central on its first run; without it the libtorch rows say "not measured".
# Scratch files (run directories, logs) go to a temporary directory, kept when BNSCOPE_BENCH_KEEP=1.
# Figures are reported, never asserted: a missed target is a finding, not a failure.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "benchmark.sh: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done

# Sizes of each measurement (the --quick values only check that the script works end to end).
if [ "$quick" = 1 ]; then
  torch_warmup=2; torch_steps=5; jvm_warmup=2; jvm_steps=5; slow_warmup=1; slow_steps=2
  spark_steps=20; probe_steps=40; probe_rounds=2; jvm_after_steps=5; grid_steps=20
  dln_warmup=5; dln_steps=10
else
  torch_warmup=5; torch_steps=30; jvm_warmup=5; jvm_steps=30; slow_warmup=1; slow_steps=3
  spark_steps=40; probe_steps=120; probe_rounds=5; jvm_after_steps=20; grid_steps=60
  dln_warmup=50; dln_steps=100
fi
variants="standard,batchnorm,noisy-batchnorm"
batch=128
data="data/cifar10-mini"
conf="conf/default.conf"
peer="$repo/../shared/peer/torch-bench/run.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/bnscope-bench.XXXXXX")"
if [ "${BNSCOPE_BENCH_KEEP:-0}" = 1 ]; then
  echo "benchmark: scratch directory $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi
results="$work/results.properties"
: > "$results"
started=$(date +%s)

record() { echo "$1=$2" >> "$results"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
stage() {  # stage NAME COMMAND...: runs COMMAND, keeps its RESULT lines, logs the rest to $work/NAME.log
  local name="$1"; shift
  local t0 status
  t0=$(date +%s)
  echo "benchmark: $name ..." >&2
  set +e
  "$@" > "$work/$name.out" 2> "$work/$name.log"
  status=$?
  set -e
  sed -n 's/^RESULT //p' "$work/$name.out" >> "$results"
  record "stage.$name.seconds" "$(( $(date +%s) - t0 ))"
  if [ "$status" != 0 ]; then
    record "failed.$name" "exit status $status; last log line: $(grep -v '^\s*at ' "$work/$name.log" | tail -n 1 | tr '=' ':')"
    echo "benchmark: $name FAILED (status $status); BENCHMARKS.md will say so. Last log lines:" >&2
    grep -v '^\s*at ' "$work/$name.log" | tail -n 5 >&2 || true
  fi
}

record machine.nproc "$(nproc)"
record machine.cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
record machine.load_start "$(loadavg)"
record machine.date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
record machine.commit "$(git rev-parse HEAD 2>/dev/null || echo unknown)"
record machine.dirty "$( [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] && echo yes || echo no)"
record machine.java "$(java -version 2>&1 | head -n 1)"
record run.quick "$quick"
record run.torch_warmup "$torch_warmup"
record run.torch_steps "$torch_steps"

echo "benchmark: building (mvn -B -q -DskipTests package) ..." >&2
rm -f jobs/target/bnscope-jobs.jar bench/target/bnscope-bench.jar
mvn -B -q -DskipTests package >&2
# The benchmarks live in the bench module (not in the jobs jar users run); its jar's manifest class
# path holds bnscope's jars and every dependency (bench/target/lib/).
jar="bench/target/bnscope-bench.jar"
read -r -a jvm_opts <<< "$(java -cp "$jar" bnscope.bench.LaunchOptions)"
bench() {  # bench HEAP OMP_THREADS CLASS ARGS...: a benchmark main, started like submit.sh starts the job
  local heap="$1" threads="$2" cls="$3"; shift 3
  OMP_NUM_THREADS="$threads" java "-Xmx$heap" "${jvm_opts[@]}" -cp "$jar" "bnscope.bench.$cls" "$@"
}

# 1. Training step speed --------------------------------------------------------------------------
# libtorch, the peer: same vgg-mini, plain SGD, batch 128, 2 threads. Its RESULT line has the form
# "RESULT fw=torch variant=bn median_ms=... min_ms=... max_ms=... gflops_at_median=...".
torch_peer() {  # torch_peer VARIANT
  "$peer" "$1" "$batch" 2 "$torch_warmup" "$torch_steps" | grep '^RESULT fw=torch' | tail -n 1 \
    | tr ' ' '\n' | grep '=' | grep -v '^fw=\|^variant=' | sed "s/^/RESULT torch.$1./"
}
if [ -x "$peer" ]; then
  record torch.threads 2
  stage torch-bn torch_peer bn
  stage torch-nobn torch_peer nobn
else
  record failed.torch "peer not found at $peer"
fi

# Single JVM, fast (oneDNN helpers) and slow (DL4J built-in) paths, 2 native threads.
stage jvm-steps bench 4g 2 StepBenchmark --conf "$conf" --data "$data" --variants "$variants" --batch "$batch" \
  --warmup "$jvm_warmup" --steps "$jvm_steps" --slow-warmup "$slow_warmup" --slow-steps "$slow_steps"

# Per core (issue 15): libtorch and bnscope's fast path alone at 1 and 2 native threads, then two
# 1-thread processes of the same side at once (one grid cell per core). RESULT keys torch_t1.*,
# torch_t2.*, torch_pair_a/b.*, jvm_t1.*, jvm_t2.*, jvm_pair_a/b.*.
torch_run() {  # torch_run VARIANT THREADS PREFIX: one peer run, its figures as RESULT PREFIX.VARIANT.*
  # bounded: one side-by-side peer run hung once in a smoke test (two Maven builds of the peer at once)
  timeout 900 "$peer" "$1" "$batch" "$2" "$torch_warmup" "$torch_steps" | grep '^RESULT fw=torch' | tail -n 1 \
    | tr ' ' '\n' | grep '=' | grep -v '^fw=\|^variant=' | sed "s/^/RESULT $3.$1./"
}
torch_pair() {  # torch_pair VARIANT: two 1-thread peer runs side by side
  local a
  torch_run "$1" 1 torch_pair_a > "$work/torch-pair-a.$1.out" & a=$!
  torch_run "$1" 1 torch_pair_b > "$work/torch-pair-b.$1.out"
  wait "$a"
  cat "$work/torch-pair-a.$1.out" "$work/torch-pair-b.$1.out"
}
per_core_jvm=(StepBenchmark --conf "$conf" --data "$data" --variants "$variants" --batch "$batch"
  --warmup "$jvm_warmup" --steps "$jvm_steps" --slow-steps 0 --dl4j-steps 0 --nd4j-noise-steps 0 --combined-steps 0)
jvm_pair() {  # two 1-thread single-JVM benchmarks side by side
  local a
  bench 4g 1 "${per_core_jvm[@]}" --prefix jvm_pair_a > "$work/jvm-pair-a.out" & a=$!
  bench 4g 1 "${per_core_jvm[@]}" --prefix jvm_pair_b > "$work/jvm-pair-b.out"
  wait "$a"
  cat "$work/jvm-pair-a.out" "$work/jvm-pair-b.out"
}
if [ -x "$peer" ]; then
  for t in 1 2; do
    for v in nobn bn; do stage "torch-t$t-$v" torch_run "$v" "$t" "torch_t$t"; done
  done
  for v in nobn bn; do stage "torch-pair-$v" torch_pair "$v"; done
fi
for t in 1 2; do stage "jvm-t$t" bench 4g "$t" "${per_core_jvm[@]}" --prefix "jvm_t$t"; done
stage jvm-pair jvm_pair
# The deep linear network's full-batch step (issue 15), fused kernels against DL4J's layers, 1 thread.
stage dln-steps bench 2g 1 DlnStepBenchmark --conf conf/paper-dln.conf --warmup "$dln_warmup" --steps "$dln_steps" --rounds 3

# Spark local[2], the real training job, probes off; one native thread per task as submit.sh sets.
for f in 5 10; do
  stage "spark-f$f" bench 6g 1 SparkTrainingBenchmark --conf "$conf" --run-dir "$work/spark-f$f" --label "f$f" \
    --variants "$variants" --steps "$spark_steps" --frequency "$f" --workers 2 --batch "$batch"
  rm -rf "$work/spark-f$f"
done

# Experiment grid (issue 11): 3 variants x 2 seeds = 6 cells as one grid, two at a time with one
# worker each, against the same cells as single runs one after another (all in one JVM and Spark
# session); RESULT keys grid.*. The per-cell throughput is compared with the torch_pair figures above.
stage grid bench 6g 1 GridBenchmark --conf "$conf" --work "$work/grid" --variants "$variants" --seeds 1,2 \
  --steps "$grid_steps" --frequency 10 --batch "$batch" --parallel 2
rm -rf "$work/grid"

# The single-JVM fast path once more: Spark's figures are divided by the mean of the single-JVM
# measurements before and after them, so a load change during the Spark runs biases neither side.
stage jvm-steps-after bench 4g 2 StepBenchmark --conf "$conf" --data "$data" --variants "$variants" --batch "$batch" \
  --warmup "$jvm_warmup" --steps "$jvm_after_steps" --slow-steps 0 --nd4j-noise-steps 0 --combined-steps 0 --prefix jvm_after

# 2. Probe overhead: the default config (one variant, fewer steps) with its probe schedule vs probes off.
probe_run() {  # probe_run on|off
  local enabled=true t0 t1 manifest
  [ "$1" = off ] && enabled=false
  t0=$(date +%s.%N)
  "$repo/submit.sh" train "$conf" --run-dir "$work/probes-$1" --set run.overwrite=true \
    --set "train.variants=[batchnorm]" --set "train.steps=$probe_steps" --set "probe.enabled=$enabled" >&2
  t1=$(date +%s.%N)
  manifest="$work/probes-$1/manifest.json"
  echo "RESULT probes.$1.wall_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
  echo "RESULT probes.$1.train_seconds=$(grep -o '"train_seconds" *: *[0-9.eE+-]*' "$manifest" | head -n 1 | sed 's/.*: *//')"
}
record probes.steps "$probe_steps"
record probes.variant batchnorm
stage probes-off probe_run off
stage probes-on probe_run on

# One full ICS probe and one landscape probe, in training steps (single JVM, 2 threads).
stage probe-cost bench 4g 2 ProbeCostBenchmark --conf "$conf" --data "$data" --variant batchnorm --batch "$batch" \
  --rounds "$probe_rounds"

# One sharpness probe (issue 12: Lanczos top-k Hessian eigenvalues, Hutchinson trace) in training steps.
stage sharpness-cost bench 4g 2 SharpnessBenchmark --conf "$conf" --data "$data" --variant batchnorm --batch "$batch" \
  --rounds 1 --trace-samples 10

# 3. Storage per stored gradient value, from the probes-on run's ics_vectors.
stage storage bench 2g 1 StorageBenchmark --run-dir "$work/probes-on"

# 4. ics_metrics throughput (the analysis module's job on synthetic vectors).
cls="bnscope.bench.IcsVectorBenchmark"
record analysis.class "$cls"
analysis_run() {
  OMP_NUM_THREADS=1 java -Xmx6g "${jvm_opts[@]}" -cp "$jar" "$cls" --dir "$work/ics-bench" | tee "$work/analysis.raw" \
    | grep '^RESULT ' | sed 's/^RESULT \(analysis\.\)\{0,1\}/RESULT analysis./'
  grep -v '^RESULT ' "$work/analysis.raw" | grep -v '^\s*$' | tail -n 1 | sed 's/^/RESULT analysis.last_line=/'
}
stage analysis analysis_run

# 5. SQL (issue 16): query latency of the one-shot command, the shell (first and warm) and DuckDB on
# the probes-on run's views; then ics_metrics against DuckDB on the same synthetic vectors.
sql_run() {
  "$repo/submit.sh" analyze "$work/probes-on" >&2
  bench 4g 1 SqlLatencyBenchmark --run "$work/probes-on" --queries "$repo/docs/queries" --submit "$repo/submit.sh"
}
stage sql sql_run
stage duckdb bench 6g 1 IcsDuckDbBenchmark --dir "$work/ics-duckdb"
rm -rf "$work/ics-duckdb"

# 6. Loss surfaces (issue 12): points/s of the surface job on local[1] and local[2] over a short
# batchnorm run's checkpoint, and a 31x31 surface's wall time.
surface_run() {
  "$repo/submit.sh" train "$conf" --run-dir "$work/surface-run" --set "train.variants=[batchnorm]" --set train.steps=20 \
    --set train.checkpoint_every=10 --set train.batch_size=32 --set probe.enabled=false >&2
  bench 4g 1 SurfaceBenchmark --run-dir "$work/surface-run" --step 20
}
stage surface surface_run
rm -rf "$work/surface-run"

record machine.load_end "$(loadavg)"
record machine.seconds "$(( $(date +%s) - started ))"
java -cp "$jar" bnscope.bench.BenchmarkReport "$results" "$repo/BENCHMARKS.md"
echo "benchmark: wrote $repo/BENCHMARKS.md in $(( ($(date +%s) - started) / 60 )) min" >&2

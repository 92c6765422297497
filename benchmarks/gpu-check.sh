#!/usr/bin/env bash
# The GPU check: a fixed plan that fits a short GPU rental (< 8 min on one GPU), into one new results folder that
# `infercost cost` and `infercost report` read directly. Runs from a checkout (benchmarks/gpu-check.sh: builds with
# Maven, needs JDK 25) or from a kit made by `infercost kit` (infercost-kit/gpu-check.sh: the kit's own Java
# runtime, no JDK/Maven/network). NOT YET RUN ON A GPU: proven end to end on PoCL (OpenCL CPU device) only.
#
#   gpu-check.sh [--cpu-device-ok] [OUTDIR]      # default OUTDIR results/gpu-check-<UTC time>; never overwritten
#
# Plan (each step writes its files as it finishes; a step past its time limit is cut and the run goes on):
#   1. machine.txt, nvidia-smi.csv; devices.txt (`infercost devices`): the device is DEVICE=B:D, else the first
#      TornadoVM device of type GPU. Without a GPU the check stops, unless --cpu-device-ok (see "CPU plan").
#   2. accuracy: stories260K (real weights) greedy tokens on tornado vs the JVM engine, batch 1 and 8, 64 steps
#      (accuracy.csv: CRC-32 of the greedy token ids per batch; verdict pass when every batch agrees).
#   3. decode sweep: Llama-3.2-1B-shaped preset (synthetic weights, real shapes) in F16 and Q8_0 at batch
#      1/8/32/128, and on a PTX device again with cuda_graph=true (its greedy tokens must equal the plain run's):
#      engine_bench.csv rows with the device matched to its catalog chip (DeviceMatch: MBU against that chip's
#      peak bandwidth), NVML energy per token with its validity flag (energy.csv; windows >= 5 s for NVML's counter),
#      manifest.json with the device match, the fallback-guard evidence (asked for a GPU: a CPU device fails) and
#      per-point figures. A point that fails is recorded and the next one runs.
#   4. cost.csv (`infercost cost`, USD_PER_HOUR=X prices an unknown GPU) and report.html (`infercost report`).
#   Budget on one H200: steps 1-2 ~1.5 min, each sweep config <= STEP_S (default 100 s: weights ~2.5 GB, kernel
#   compilation, 4 points x (2 s warm-up + 5 s timed)), 4 configs on PTX -> ~8 min worst case; 2 on OpenCL.
# CPU plan (--cpu-device-ok, e.g. PoCL): the same steps on a stories110M-shaped preset (a 1B sweep on 2 CPU cores
#   takes minutes per point) at batch 1 and 8, 1 s timed per point; its figures are CPU figures, labelled cpu-host.
# env: DEVICE=B:D, PRESET (default llama-3.2-1b; CPU plan stories110M), BATCHES (default 1,8,32,128; CPU 1,8),
#      STEP_S (per sweep config, default 100; CPU 150), USD_PER_HOUR, JAVA_OPTS (default -Xmx24g; CPU -Xmx6g),
#      OFFLINE=1 (checkout: mvn -o)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cpu_ok=0
if [ "${1:-}" = "--cpu-device-ok" ]; then cpu_ok=1; shift; fi
if [ -x "$here/runtime/bin/java" ]; then
  mode=kit; root="$here"; M="$here/models"
else
  mode=checkout; root="$(cd "$here/.." && pwd)"; M="$root/../shared/models"
fi
out="${1:-$root/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
if [ -e "$out" ]; then echo "gpu-check: $out exists; results folders are never overwritten" >&2; exit 2; fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
log() { echo "[gpu-check $(date -u +%H:%M:%S)] $*" | tee -a "$out/log.txt" >&2; }
start=$(date +%s)

if [ "$mode" = checkout ]; then
  . "$root/bin/jdk.sh"
  if [ -z "${TORNADOVM_HOME:-}" ] || [ ! -f "$TORNADOVM_HOME/tornado-argfile" ]; then
    echo "gpu-check: TORNADOVM_HOME must point at a TornadoVM SDK (JDK 25, PTX or OpenCL backend); see README 'TornadoVM backend'" >&2; exit 2
  fi
  log "build (tornado profile)"
  mvnflags=(-B -q); [ "${OFFLINE:-0}" = 1 ] && mvnflags+=(-o)
  (cd "$root" && mvn "${mvnflags[@]}" -DskipTests package) > "$out/build.txt" 2>&1 || { log "build failed, see build.txt"; exit 1; }
  jar="$root/target/infercost.jar"
  flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dinfercost.home="$root")
  cp="$jar:$root/target/lib/*"
  . "$root/bin/tornado-flags.sh"
  # jv CLASS: sets J to the command line that runs CLASS (callers append arguments; `timeout` can run it)
  jv() { J=("$JAVA_HOME/bin/java" "${flags[@]}" ${JOPTS} -cp "$cp" "$1"); }
  javaver="$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
else
  if [ ! -d "$root/tornadovm" ]; then echo "gpu-check: this kit has no TornadoVM SDK (made without TORNADOVM_HOME); the check needs it" >&2; exit 2; fi
  jv() { J=(env INFERCOST_MAIN="$1" INFERCOST_JAVA_OPTS="${JOPTS}" "$root/bin/infercost"); }
  javaver="$("$root/runtime/bin/java" -version 2>&1 | head -1) (kit runtime)"
fi
ic() { jv dev.infercost.cli.Main; "${J[@]}" "$@"; }

{ echo "date_utc: $(date -u +%FT%TZ)"; echo "host: $(hostname)"; echo "mode: $mode ($root)"
  echo "git: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo none)"; echo "java: $javaver"
  echo "cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)"; } > "$out/machine.txt"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory,power.limit --format=csv > "$out/nvidia-smi.csv" 2>&1 || true

JOPTS="${JAVA_OPTS:--Xmx24g}"
log "devices"
ic devices > "$out/devices.txt" 2>&1 || true
# device lines: "B:D  <name, may hold spaces>  <type>  <memory GiB>  <max WG>  <driver>"; the type is a whole word
device="${DEVICE:-$(awk '$1 ~ /^[0-9]+:[0-9]+$/ && / GPU / {print $1; exit}' "$out/devices.txt")}"
device="${device:-$(awk '$1 ~ /^[0-9]+:[0-9]+$/ {print $1; exit}' "$out/devices.txt")}"
device="${device:-0:0}"
kind=CPU; awk -v d="$device" '$1 == d' "$out/devices.txt" | grep -q ' GPU ' && kind=GPU
log "device $device: $(awk -v d="$device" '$1 == d' "$out/devices.txt")"
if [ "$kind" != GPU ]; then
  if [ "$cpu_ok" != 1 ]; then log "no GPU device among TornadoVM's devices (see devices.txt); pass --cpu-device-ok to run the CPU plan"; exit 3; fi
  log "CPU plan: device $device is not a GPU (--cpu-device-ok): stories110M-shaped preset, batch 1 and 8, 1 s per point; figures are CPU figures"
  preset="${PRESET:-stories110M}"; batches="${BATCHES:-1,8}"; step_s="${STEP_S:-150}"; mintime=1; expect=cpu; JOPTS="${JAVA_OPTS:--Xmx6g}"
else
  preset="${PRESET:-llama-3.2-1b}"; batches="${BATCHES:-1,8,32,128}"; step_s="${STEP_S:-100}"; mintime=5; expect=gpu
fi
echo "plan: device $device ($kind), preset $preset, batches $batches, <= $step_s s per sweep config, >= $mintime s timed per point" >> "$out/machine.txt"

log "accuracy: stories260K greedy tokens, tornado $device vs the JVM engine, batch 1 and 8"
acc=fail
jv dev.infercost.bench.tornado.DecodeSweep
if timeout 150 "${J[@]}" --model "$M/stories260K.bin" --tokenizer "$M/tok512.bin" --backend tornado --device "$device" --batch 1,8 --steps 64 \
     --warmup 8 --warmup-s 0 --min-time-s 0 --out "$out/accuracy-tornado.csv" > /dev/null 2>> "$out/log.txt" \
   && timeout 60 "${J[@]}" --model "$M/stories260K.bin" --tokenizer "$M/tok512.bin" --backend jvm --batch 1,8 --steps 64 \
     --warmup 8 --warmup-s 0 --min-time-s 0 --out "$out/accuracy-jvm.csv" > /dev/null 2>> "$out/log.txt"; then
  { echo "batch,jvm_greedy_crc32,tornado_greedy_crc32,match"
    paste -d, <(awk -F, 'NR > 1 {print $(NF-8)","$NF}' "$out/accuracy-jvm.csv") <(awk -F, 'NR > 1 {print $NF}' "$out/accuracy-tornado.csv") \
      | awk -F, '{print $1","$2","$3","($2 == $3 ? "yes" : "NO")}'; } > "$out/accuracy.csv"
  if ! grep -q ',NO$' "$out/accuracy.csv" && [ "$(wc -l < "$out/accuracy.csv")" -ge 3 ]; then acc=pass; fi
else
  log "accuracy step failed or ran out of time (see log.txt)"
fi
echo "accuracy: $acc on $device (greedy tokens of stories260K vs the JVM engine; accuracy.csv)" | tee "$out/accuracy-verdict.txt" >&2

check() { # label, model, extra args...
  local label=$1 model=$2; shift 2
  log "decode sweep $label: $model, batch $batches on $device (<= $step_s s)"
  jv dev.infercost.bench.GpuCheck
  if ! timeout "$step_s" "${J[@]}" --out "$out" --model "$model" --backend tornado --device "$device" --batch "$batches" --steps 32 --warmup 4 \
       --warmup-s 2 --min-time-s "$mintime" --context 128 --label "$label" --expect-device "$expect" --accuracy "$acc" "$@" 2>> "$out/log.txt"; then
    log "$label: failed or cut at its time limit; finished points are kept (log.txt)"
  fi
}
ptx=0; awk -v d="$device" '$1 == d' "$out/devices.txt" | grep -qi ptx && ptx=1
for dt in f16 q8_0; do
  check "$dt" "$preset:$dt"
  if [ $ptx = 1 ]; then check "$dt-cudagraph" "$preset:$dt" --extra cuda_graph=true --same-tokens-as "$dt"
  else log "$dt: no CUDA-graph pass (device $device is not a PTX device; CUDA graphs exist only on TornadoVM's PTX backend)"; fi
done

if [ -f "$out/engine_bench.csv" ]; then
  log "cost and report"
  ic cost "$out" ${USD_PER_HOUR:+--usd-per-hour "$USD_PER_HOUR"} --no-project > "$out/cost.txt" 2>&1 || log "cost failed (cost.txt)"
  ic report "$out" > "$out/report.txt" 2>&1 || log "report failed (report.txt)"
else
  log "no decode point finished: no engine_bench.csv"
fi
took=$(( $(date +%s) - start ))
log "done in $took s (plan: 480 s on one GPU): $out"
echo "wall_time_s: $took" >> "$out/machine.txt"
cat "$out/accuracy-verdict.txt" >&2
jv dev.infercost.bench.GpuCheck; "${J[@]}" --summary "$out" | tee "$out/summary.txt" >&2

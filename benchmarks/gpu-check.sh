#!/usr/bin/env bash
# TornadoVM backend check on an NVIDIA GPU (or any TornadoVM device): accuracy against the JVM engine, then a
# decode sweep, into one new results folder. UNTESTED ON A GPU: written and run on PoCL (OpenCL CPU) only.
#
# Needs: JDK 25, TORNADOVM_HOME = a TornadoVM SDK for JDK 25 built with the PTX (preferred: kernel arguments go
# with the launch and a step can replay as a CUDA graph) or OpenCL backend (TornadoVM's OpenCL backend copies each
# kernel's arguments with a blocking write before its launch) (`make BACKEND=ptx` / `make BACKEND=opencl`, or a
# release SDK), the Maven dependencies of infercost in
# ~/.m2 (the script runs Maven offline when OFFLINE=1), ../shared/models (stories260K.bin, tok512.bin).
#
#   benchmarks/gpu-check.sh [results-folder]      # default results/gpu-check-<UTC time>; never overwritten
#   env: DEVICE=B:D (default: the first GPU TornadoVM lists, else 0:0), PEAK_GBPS (default 4800, H200 HBM3e
#        spec sheet), PRESET (default llama-3.2-1b:f16), OFFLINE=1 (mvn -o)
#
# Budget (< 8 min on an H200 host): build ~1 min, accuracy tests ~1-2 min (kernel compilation dominates),
# stories260K sweep tornado+jvm ~1 min, Llama-3.2-1B-shaped F16 preset (synthetic weights, 2.5 GB) at
# batch 1 and 8: weight generation + upload + compile ~1-2 min, 64 timed steps each (twice on PTX: plain and
# cuda_graph=true). On PoCL (2-core CPU, no GPU) the whole script took 6 min 48 s, 5 min of it the 1B sweep.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. "$root/bin/jdk.sh"
if [ -z "${TORNADOVM_HOME:-}" ] || [ ! -f "$TORNADOVM_HOME/tornado-argfile" ]; then
  echo "gpu-check: TORNADOVM_HOME must point at a TornadoVM SDK (JDK 25, PTX or OpenCL backend); see README 'TornadoVM backend'" >&2
  exit 2
fi
out="${1:-$root/results/gpu-check-$(date -u +%Y%m%dT%H%M%SZ)}"
if [ -e "$out" ]; then echo "gpu-check: $out exists; results folders are never overwritten" >&2; exit 2; fi
mkdir -p "$out"
mvnflags=(-B -q); [ "${OFFLINE:-0}" = 1 ] && mvnflags+=(-o)
log() { echo "[gpu-check $(date -u +%H:%M:%S)] $*" | tee -a "$out/log.txt" >&2; }
start=$(date +%s)

{ echo "date_utc: $(date -u +%FT%TZ)"; echo "host: $(hostname)"; echo "git: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo none)"
  echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"; echo "tornadovm_home: $TORNADOVM_HOME"
  echo "peak_gbps: ${PEAK_GBPS:-4800} (spec sheet value used for MBU)"; } > "$out/machine.txt"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv > "$out/nvidia-smi.csv" 2>&1 || true

log "build (tornado profile)"
mvn "${mvnflags[@]}" -DskipTests package > "$out/build.txt" 2>&1 || { log "build failed, see build.txt"; exit 1; }
jar="$root/target/infercost.jar"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g)
cp="$jar:$root/target/lib/*"
. "$root/bin/tornado-flags.sh"
java=("$JAVA_HOME/bin/java" "${flags[@]}" -cp "$cp")

log "devices"
"${java[@]}" dev.infercost.cli.Main devices > "$out/devices.txt" 2>&1 || true
device="${DEVICE:-$(awk '$3 == "GPU" {print $1; exit}' "$out/devices.txt")}"
device="${device:-0:0}"
log "device $device: $(awk -v d="$device" '$1 == d' "$out/devices.txt")"

log "accuracy: stories260K greedy text vs llama2.c run.c and the JVM engine, F32/F16/Q8_0 logits within 1e-4; MiniLM embeddings vs ONNX Runtime (cosine > 0.9999)"
set +e
mvn "${mvnflags[@]}" test -Dtest='TornadoLlamaEngineTest,TornadoQuantizedModelTest,TornadoBertEncoderTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dinfercost.tornado.device="$device" > "$out/accuracy.txt" 2>&1
acc=$?
set -e
cp target/surefire-reports/TEST-*Tornado*.xml "$out/" 2>/dev/null || true
if [ $acc = 0 ]; then echo "accuracy: PASS on $device" | tee "$out/accuracy-verdict.txt"
else echo "accuracy: FAIL on $device (see accuracy.txt and TEST-*.xml); decode figures below are NOT validated" | tee "$out/accuracy-verdict.txt"; fi

sweep() { "${java[@]}" dev.infercost.bench.tornado.DecodeSweep "$@"; }
M="$root/../shared/models"
log "decode sweep: stories260K (real weights), tornado $device vs jvm"
sweep --model "$M/stories260K.bin" --tokenizer "$M/tok512.bin" --backend tornado --device "$device" --batch 1,8,32 \
  --steps 64 --warmup 8 --warmup-s 2 --peak-gbps "${PEAK_GBPS:-4800}" --out "$out/decode-stories260K-tornado.csv" > /dev/null 2>> "$out/log.txt" || log "tornado stories260K sweep failed"
sweep --model "$M/stories260K.bin" --tokenizer "$M/tok512.bin" --backend jvm --threads 0 --batch 1,8,32 \
  --steps 64 --warmup 8 --warmup-s 2 --out "$out/decode-stories260K-jvm.csv" > /dev/null 2>> "$out/log.txt" || log "jvm stories260K sweep failed"

preset="${PRESET:-llama-3.2-1b:f16}"
log "decode sweep: $preset (preset: synthetic weights, real shapes) on tornado $device, MBU vs ${PEAK_GBPS:-4800} GB/s"
sweep --model "$preset" --backend tornado --device "$device" --batch 1,8 --steps 64 --warmup 8 --warmup-s 2 --context 128 \
  --peak-gbps "${PEAK_GBPS:-4800}" --out "$out/decode-${preset//:/-}-tornado.csv" > /dev/null 2>> "$out/log.txt" || log "$preset sweep failed"
# PTX devices: the same sweep with the step recorded once as a CUDA graph and replayed (one graph launch per step
# instead of ~5 launches per layer). Its greedy tokens must equal the plain run's (greedy_tokens_crc32 column).
if awk -v d="$device" '$1 == d' "$out/devices.txt" | grep -q PTX; then
  log "decode sweep: $preset with cuda_graph=true"
  g="$out/decode-${preset//:/-}-tornado-cudagraph.csv"
  if sweep --model "$preset" --backend tornado --device "$device" --batch 1,8 --steps 64 --warmup 8 --warmup-s 2 --context 128 \
      --peak-gbps "${PEAK_GBPS:-4800}" --extra cuda_graph=true --out "$g" > /dev/null 2>> "$out/log.txt"; then
    if [ "$(awk -F, '{print $NF}' "$g")" = "$(awk -F, '{print $NF}' "$out/decode-${preset//:/-}-tornado.csv")" ]; then
      log "cuda_graph: greedy tokens equal the plain run's"
    else
      log "cuda_graph: greedy tokens DIFFER from the plain run's: its figures are not valid"; mv "$g" "${g%.csv}-INVALID.csv"
    fi
  else log "$preset cuda_graph sweep failed"; fi
else
  log "device $device is not a PTX device: no CUDA-graph pass (TornadoVM's OpenCL backend writes each kernel's arguments with a blocking copy before its launch)"
fi

log "encoder: all-MiniLM-L6-v2 sequences/s, tornado $device vs ONNX Runtime CPU, batch 1 and 8 (~30 tokens)"
t1="The quarterly report shows that revenue from cloud inference grew faster than training revenue in every region, driven mostly by enterprise search and coding assistants."
b8=(); for i in 1 2 3 4 5 6 7 8; do b8+=(--text "$t1 ($i)"); done
for be in tornado onnx; do
  "${java[@]}" dev.infercost.cli.Main embed --backend "$be" --device "$device" --text "$t1" --repeat 100 --values 1 2>> "$out/log.txt" | grep timing | sed "s/^/$be batch 1: /" >> "$out/encoder.txt" || log "$be encoder batch 1 failed"
  "${java[@]}" dev.infercost.cli.Main embed --backend "$be" --device "$device" "${b8[@]}" --repeat 50 --values 1 2>> "$out/log.txt" | grep timing | sed "s/^/$be batch 8: /" >> "$out/encoder.txt" || log "$be encoder batch 8 failed"
done

log "done in $(( $(date +%s) - start )) s: $out"
cat "$out"/accuracy-verdict.txt "$out"/decode-*.csv "$out"/encoder.txt 2>/dev/null

#!/usr/bin/env bash
# Side-by-side CPU speed of infercost's JVM engine, llama.cpp and llama2.c run.c on identical weights.
#
#   benchmarks/cpu-compare.sh --llama-cpp DIR --runc BIN [--preset stories110M] [--tokenizer FILE]
#                             [--threads 1,2] [--reps 5] [--types f32,q8_0,q4_k_m] [--out DIR]
#
# DIR is a llama.cpp build's binary folder (llama-bench, llama-quantize, llama-convert-llama2c-to-ggml), BIN a
# llama2.c `run` built with `gcc -Ofast -fopenmp -march=native run.c -lm`; both are built outside this repository.
# What it does, all on the same weights (the preset's deterministic synthetic values):
#   1. `infercost export` writes the preset as a llama2.c checkpoint (.bin, fp32);
#   2. llama.cpp's convert-llama2c-to-ggml (or, where the build lacks it, infercost's `export --format gguf`) turns that
#      .bin into an F32 GGUF and llama-quantize makes the other
#      types from it (Q8_0, Q4_K_M, ...), so every tool reads the identical tensors;
#   3. for each type and thread count, REPS rounds, each round running every tool once in turn (alternating, so
#      drift of a shared machine hits all tools alike):
#        decode  infercost JMH DecodeBenchmark.decodeBatch1 (context 64 = the mean position of a 128-token run)
#                vs llama-bench tg128 (-p 0 -n 128);
#        prefill infercost JMH PrefillBenchmark.prefill (isl 128) vs llama-bench pp128 (-p 128 -n 0);
#        decode on the .bin (f32 only): `infercost generate` (steady state, after its warm-up) vs run.c, both
#                greedy, 256 steps from the same prompt, run.c's threads from OMP_NUM_THREADS;
#   4. prints a markdown table of medians with min-max and the ratio infercost / reference, and writes every raw
#      figure to OUT/raw.csv and the table to OUT/table.md.
# Medians of at least 5 rounds are what to quote; the min-max spread says how noisy the machine was.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
llama=""; runc=""; preset="stories110M"; tok="$root/../shared/models/tokenizer.bin"; threads="1,2"; reps=5
types="f32,q8_0"; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --llama-cpp) llama="$2"; shift 2;;
    --runc) runc="$2"; shift 2;;
    --preset) preset="$2"; shift 2;;
    --tokenizer) tok="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    --reps) reps="$2"; shift 2;;
    --types) types="$2"; shift 2;;
    --out) out="$2"; shift 2;;
    -h|--help) sed -n '2,23p' "$0"; exit 0;;
    *) echo "cpu-compare: unknown argument '$1' (see --help)" >&2; exit 2;;
  esac
done
die() { echo "cpu-compare: $*" >&2; exit 2; }
[ -n "$llama" ] || die "--llama-cpp DIR is required (a llama.cpp build's bin folder)"
for b in llama-bench llama-quantize; do
  [ -x "$llama/$b" ] || die "$llama/$b not found or not executable (build that llama.cpp target)"
done
# the .bin -> GGUF step: llama.cpp's converter when the build has it, else infercost's own `export --format gguf`
# of the same .bin (an F32 llama GGUF that llama-bench and llama-quantize read)
if [ -x "$llama/llama-convert-llama2c-to-ggml" ]; then conv=llama.cpp; else conv=infercost; fi
[ -z "$runc" ] || [ -x "$runc" ] || die "--runc $runc: not an executable"
[ -f "$tok" ] || die "--tokenizer $tok: no such file (a llama2.c tokenizer.bin of the preset's vocabulary size)"
[[ "$reps" =~ ^[0-9]+$ ]] && [ "$reps" -ge 1 ] || die "--reps $reps: expected a whole number >= 1"
out="${out:-$root/results/cpu-compare-$(date -u +%Y%m%d-%H%M%S)}"
[ -e "$out" ] && die "$out exists (results are never overwritten)"
mkdir -p "$out/models"
. "$root/bin/jdk.sh"
"$root/bin/infercost" --version >/dev/null 2>&1 || true   # builds the jar when sources changed
cp="$root/target/infercost.jar:$root/target/lib/*"
java_opts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED)

m="$out/models"
"$root/bin/infercost" export --preset "$preset" --format llama2c --out "$m/model.bin" >/dev/null 2>"$out/export.log" \
  || die "export failed: $(tail -1 "$out/export.log")"
if [ "$conv" = llama.cpp ]; then
  "$llama/llama-convert-llama2c-to-ggml" --copy-vocab-from-model "$tok" --llama2c-model "$m/model.bin" \
    --llama2c-output-model "$m/model-f32.gguf" >"$out/convert.log" 2>&1 || die "convert-llama2c-to-ggml failed (see $out/convert.log)"
else
  "$root/bin/infercost" export --model "$m/model.bin" --tokenizer "$tok" --format gguf --out "$m/model-f32.gguf" \
    >"$out/convert.log" 2>&1 || die "export --format gguf failed (see $out/convert.log)"
fi
IFS=, read -ra tlist <<<"$types"
for t in "${tlist[@]}"; do
  [ "$t" = f32 ] && continue
  "$llama/llama-quantize" "$m/model-f32.gguf" "$m/model-$t.gguf" "$(echo "$t" | tr a-z A-Z)" >"$out/quantize-$t.log" 2>&1 \
    || die "llama-quantize to $t failed (see $out/quantize-$t.log)"
done

raw="$out/raw.csv"
echo "type,threads,phase,tool,round,tok_per_s [tok/s]" >"$raw"
jmh() {  # model threads benchmark-regex extra-params... -> prints the JMH score (ops/s = tok/s)
  local f="$out/jmh-$$.csv"
  # JMH's machine-wide /tmp/jmh.lock makes a run fail (NaN) while anyone else's JMH runs; the rounds alternate
  # tools anyway, so take the figure and let the medians and min-max show the noise
  java "${java_opts[@]}" -Djmh.ignoreLock=true -cp "$cp" org.openjdk.jmh.Main "$3" -p model="$1" -p threads="$2" "${@:4}" \
    -f 1 -wi 3 -w 1s -i 5 -r 1s -rf csv -rff "$f" >>"$out/jmh.log" 2>&1 || { echo NaN; return; }
  awk -F, 'NR==2 {gsub(/"/,"",$5); print $5}' "$f"; rm -f "$f"
}
lbench() {  # model threads -p -n -> llama-bench avg tok/s (NaN when it fails; the reason goes to llama-bench.log)
  local csv rc=0
  csv=$("$llama/llama-bench" -m "$1" -t "$2" -p "$3" -n "$4" -r 3 -o csv 2>>"$out/llama-bench.log") || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "llama-bench $1 -t $2 -p $3 -n $4: exit $rc" >>"$out/llama-bench.log"
    # 132 = SIGILL: a GGML_NATIVE build uses instructions the OS/VM does not enable (seen: AMX under a VM);
    # rebuild with -DGGML_NATIVE=OFF and the AVX/AVX-512 options the CPU has
    [ "$rc" -eq 132 ] && echo "cpu-compare: llama-bench died of SIGILL (an instruction the OS does not enable, e.g. AMX): rebuild llama.cpp with -DGGML_NATIVE=OFF" >&2
    echo NaN; return
  fi
  printf '%s\n' "$csv" | python3 -c 'import csv,sys; r=list(csv.DictReader(sys.stdin)); print(r[-1]["avg_ts"] if r else "NaN")'
}
achieved() { sed -n 's/.*achieved tok\/s: *\([0-9.]*\).*/\1/p' | tail -1; }
IFS=, read -ra thr <<<"$threads"
for t in "${tlist[@]}"; do
  g="$m/model-$t.gguf"
  for th in "${thr[@]}"; do
    for ((r = 1; r <= reps; r++)); do
      echo "cpu-compare: $t threads=$th round $r/$reps" >&2
      echo "$t,$th,decode,infercost,$r,$(jmh "$g" "$th" 'DecodeBenchmark.decodeBatch1$' -p context=64)" >>"$raw"
      echo "$t,$th,decode,llama.cpp,$r,$(lbench "$g" "$th" 0 128)" >>"$raw"
      # PrefillBenchmark's op is one whole prompt (prompts/s): x ISL = prompt tok/s
      v=$(jmh "$g" "$th" 'PrefillBenchmark.prefill$' -p isl=128)
      echo "$t,$th,prefill,infercost,$r,$(awk -v v="$v" 'BEGIN { if (v == "NaN") print "NaN"; else printf "%.3f", v * 128 }')" >>"$raw"
      echo "$t,$th,prefill,llama.cpp,$r,$(lbench "$g" "$th" 128 0)" >>"$raw"
      if [ "$t" = f32 ] && [ -n "$runc" ]; then
        v=$("$root/bin/infercost" generate --model "$m/model.bin" --tokenizer "$tok" --temperature 0 --steps 256 \
              --threads "$th" --prompt "Once upon a time" 2>&1 >/dev/null | achieved)
        echo "bin,$th,decode-generate,infercost,$r,${v:-NaN}" >>"$raw"
        v=$(OMP_NUM_THREADS="$th" "$runc" "$m/model.bin" -z "$tok" -t 0 -n 256 -i "Once upon a time" 2>&1 >/dev/null | achieved)
        echo "bin,$th,decode-generate,run.c,$r,${v:-NaN}" >>"$raw"
      fi
    done
  done
done

python3 - "$raw" "$out/table.md" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
val = lambda r: float(r["tok_per_s [tok/s]"]) if r["tok_per_s [tok/s]"] not in ("", "NaN") else None
groups = {}
for r in rows:
    v = val(r)
    if v is not None:
        groups.setdefault((r["type"], r["threads"], r["phase"], r["tool"]), []).append(v)
def fmt(vs): return "%.1f (%.1f-%.1f, n=%d)" % (statistics.median(vs), min(vs), max(vs), len(vs)) if vs else "n/a"
lines = ["| weights | threads | phase | infercost tok/s median (min-max) | reference | reference tok/s median (min-max) | ratio |",
         "|---|---|---|---|---|---|---|"]
keys = sorted({(k[0], k[1], k[2]) for k in groups})
for t, th, ph in keys:
    ref = "run.c" if t == "bin" else "llama.cpp"
    a, b = groups.get((t, th, ph, "infercost"), []), groups.get((t, th, ph, ref), [])
    ratio = "%.2f" % (statistics.median(a) / statistics.median(b)) if a and b else "n/a"
    lines.append("| %s | %s | %s | %s | %s | %s | %s |" % (t, th, ph, fmt(a), ref, fmt(b), ratio))
# thread scaling of infercost
for t in sorted({k[0] for k in groups}):
    for ph in sorted({k[2] for k in groups if k[0] == t}):
        for tool in ("infercost", "llama.cpp", "run.c"):
            one, two = groups.get((t, "1", ph, tool)), groups.get((t, "2", ph, tool))
            if one and two:
                lines.append("| %s | 1->2 | %s | %s scaling %.2fx | | | |" % (t, ph, tool, statistics.median(two) / statistics.median(one)))
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
echo "cpu-compare: raw figures $raw, table $out/table.md" >&2

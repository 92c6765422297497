#!/usr/bin/env python3
"""Single-thread speed of infercost's JVM engine, llama.cpp and llama2.c run.c per CPU-second, for a machine too
busy for wall-clock comparisons (benchmarks/cpu-compare.sh is the wall-clock table to quote on a quiet machine).

    python3 benchmarks/cpu-time-compare.py --llama-cpp DIR --models DIR [--runc BIN] [--tokenizer FILE]
                                            [--types f32,q8_0] [--rounds 3] [--out FILE.csv]

--models is a folder that benchmarks/cpu-compare.sh filled (model.bin, model-f32.gguf, model-<type>.gguf): the same
tensors for every tool. Each round runs every tool once per type, alternating, and each figure is
tokens / CPU-seconds of the measured work only:
  infercost  dev.infercost.bench.CpuTimeDecode (1 thread): decode at context 64 (tg128's mean position) and
             a 128-token prefill, CPU time of the decoding thread after a warm-up;
  llama.cpp  llama-bench -t 1 (tg128: -p 0 -n 128; pp128: -p 128 -n 0), the CPU time (user + sys) of a run with
             -r 4 minus that of a run with -r 1, over the 3 extra repetitions' tokens (so loading and warm-up cancel);
  run.c      (with --runc, on model.bin, OMP_NUM_THREADS=1) CPU time of -n 256 minus -n 32, over the 224 extra
             tokens (positions 32..255); infercost is measured at context 144, their mean.
CPU time still includes cache and memory-bandwidth contention from other tenants, so the rounds alternate tools.
Prints a markdown table of medians (min-max) and ratios and writes the raw figures to --out.
"""
import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_of(cmd, env=None):
    """Runs cmd; returns the CPU seconds (user + sys) it and its children used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stderr.decode(errors="replace")[-300:]))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def java():
    """The JDK 25 java that bin/jdk.sh picks (the default java may be older)."""
    r = subprocess.run(["bash", "-c", ". '%s' && echo \"$JAVA_HOME\"" % os.path.join(ROOT, "bin", "jdk.sh")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit("cpu-time-compare: " + r.stderr.decode(errors="replace").strip())
    return os.path.join(r.stdout.decode().strip(), "bin", "java")


JAVA = None


def infercost(model, context, prefill, tok=None):
    cp = os.path.join(ROOT, "target", "infercost.jar") + ":" + os.path.join(ROOT, "target", "lib", "*")
    cmd = [JAVA, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", cp] \
        + (["-Dinfercost.bench.tokenizer=" + tok] if tok else []) + [
           "dev.infercost.bench.CpuTimeDecode", model, "1", str(context), "4", "8"] + (["prefill"] if prefill else [])
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("CpuTimeDecode: " + r.stderr.decode(errors="replace")[-300:])
    return float(r.stdout.decode().strip().splitlines()[-1].split(",")[2])


def llama_bench(llama, model, p, n):
    base = [os.path.join(llama, "llama-bench"), "-m", model, "-t", "1", "-p", str(p), "-n", str(n), "-o", "csv"]
    c1 = cpu_of(base + ["-r", "1"])
    c4 = cpu_of(base + ["-r", "4"])
    return 3 * (p + n) / (c4 - c1)


def runc(binary, model, tok):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    args = lambda steps: [binary, model, "-z", tok, "-t", "0", "-n", str(steps), "-i", "Once upon a time"]
    return 224 / (cpu_of(args(256), env) - cpu_of(args(32), env))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--llama-cpp", required=True)
    ap.add_argument("--models", required=True)
    ap.add_argument("--runc")
    ap.add_argument("--tokenizer", default=os.path.join(ROOT, "..", "shared", "models", "tokenizer.bin"))
    ap.add_argument("--types", default="f32,q8_0")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    global JAVA
    JAVA = java()
    if not os.path.isfile(os.path.join(ROOT, "target", "infercost.jar")):
        sys.exit("cpu-time-compare: target/infercost.jar missing (run bin/infercost --version once to build it)")
    if a.rounds < 1:
        sys.exit("cpu-time-compare: --rounds %d: expected >= 1" % a.rounds)
    for t in a.types.split(","):
        if not os.path.isfile(os.path.join(a.models, "model-%s.gguf" % t)):
            sys.exit("cpu-time-compare: %s: no model-%s.gguf (run benchmarks/cpu-compare.sh with --types %s first)" % (a.models, t, t))
    if a.out and os.path.exists(a.out):
        sys.exit("cpu-time-compare: %s exists" % a.out)
    rows = []
    raw = open(a.out, "w", newline="") if a.out else None
    if raw:
        csv.writer(raw).writerow(["type", "phase", "tool", "round", "tok_per_cpu_s [tok/CPU-s]"])

    def add(*row):
        rows.append(row)
        if raw:
            csv.writer(raw).writerow(row)
            raw.flush()

    for r in range(1, a.rounds + 1):
        for t in a.types.split(","):
            g = os.path.join(a.models, "model-%s.gguf" % t)
            print("cpu-time-compare: %s round %d/%d" % (t, r, a.rounds), file=sys.stderr)
            add(t, "decode", "infercost", r, infercost(g, 64, False))
            add(t, "decode", "llama.cpp", r, llama_bench(a.llama_cpp, g, 0, 128))
            add(t, "prefill", "infercost", r, infercost(g, 128, True))
            add(t, "prefill", "llama.cpp", r, llama_bench(a.llama_cpp, g, 128, 0))
        if a.runc:
            b = os.path.join(a.models, "model.bin")
            add("bin", "decode", "infercost", r, infercost(b, 144, False, a.tokenizer))
            add("bin", "decode", "run.c", r, runc(a.runc, b, a.tokenizer))
    if raw:
        raw.close()
    groups = {}
    for t, ph, tool, _, v in rows:
        groups.setdefault((t, ph, tool), []).append(v)
    fmt = lambda vs: "%.1f (%.1f-%.1f, n=%d)" % (statistics.median(vs), min(vs), max(vs), len(vs))
    print("| weights | phase | infercost tok/CPU-s | reference | reference tok/CPU-s | ratio |")
    print("|---|---|---|---|---|---|")
    for t, ph in sorted({(k[0], k[1]) for k in groups}):
        ref = "run.c" if t == "bin" else "llama.cpp"
        x, y = groups[(t, ph, "infercost")], groups[(t, ph, ref)]
        print("| %s | %s | %s | %s | %s | %.2f |" % (t, ph, fmt(x), ref, fmt(y), statistics.median(x) / statistics.median(y)))


if __name__ == "__main__":
    main()

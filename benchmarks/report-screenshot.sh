#!/usr/bin/env bash
# Renders a comparison report from the test fixtures (two machines' result folders + a revenue run on the
# fixture cost table) and screenshots it in headless Chromium (Debian package "chromium").
# Usage: benchmarks/report-screenshot.sh [OUT_DIR]   -> OUT_DIR/report.png, OUT_DIR/report.html
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
fx="$root/src/test/resources/fixtures"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium_bin" ] || { echo "report-screenshot: $chromium_bin not found (apt-get install -y chromium)" >&2; exit 3; }

"$root/bin/infercost" revenue --costs "$fx/run-h200/cost.csv" --out "$out/runs" > "$out/revenue-summary.txt"
rev="$(ls -d "$out"/runs/*-revenue | head -1)"
"$root/bin/infercost" report "$fx/run-h200" "$fx/run-cpu" "$rev" --out "$out/reports" > "$out/report-path.txt"
html="$(sed -n 's/^report: //p' "$out/report-path.txt")"
cp "$html" "$out/report.html"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --screenshot="$out/report.png" --window-size=1400,4000 "file://$out/report.html" 2>&1 \
  | grep -v -e 'dbus' -e 'Fontconfig' -e 'unexpected operator' || true
[ -s "$out/report.png" ] || { echo "report-screenshot: no screenshot written" >&2; exit 1; }
echo "screenshot: $out/report.png"
echo "report:     $out/report.html"

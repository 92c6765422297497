#!/usr/bin/env bash
# Renders a comparison report from the test fixtures (two machines' result folders + a revenue run on the
# bundled cost table) and screenshots it in headless Chromium (Debian package "chromium").
# Usage: benchmarks/report-screenshot.sh [OUT_DIR]   -> OUT_DIR/report.png (first screen, 1400x1000),
#        OUT_DIR/report-full.png (1400x6000), OUT_DIR/report.html, OUT_DIR/report.dom.html (the DOM after the page's script ran)
# REPORT_DIRS="dir1 dir2" renders those result folders instead of the fixtures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
fx="$root/src/test/resources/fixtures"
chromium_bin="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium_bin" ] || { echo "report-screenshot: $chromium_bin not found (apt-get install -y chromium)" >&2; exit 3; }

if [ -n "${REPORT_DIRS:-}" ]; then
  # shellcheck disable=SC2086
  "$root/bin/infercost" report $REPORT_DIRS --out "$out/reports" > "$out/report-path.txt"
else
  # the default scenario serves named models (70B dense, DeepSeek-class MoE) that the fixtures' older cost table
  # does not hold, so the revenue run uses the bundled (illustrative, labelled) cost table
  "$root/bin/infercost" revenue --out "$out/runs" > "$out/revenue-summary.txt"
  rev="$(ls -d "$out"/runs/*-revenue | head -1)"
  "$root/bin/infercost" report "$fx/run-h200" "$fx/run-cpu" "$rev" --out "$out/reports" > "$out/report-path.txt"
fi
html="$(sed -n 's/^report: //p' "$out/report-path.txt")"
cp "$html" "$out/report.html"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chrome=("$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile")
quiet() { grep -v -e 'dbus' -e 'Fontconfig' -e 'unexpected operator' -e 'bytes written' || true; }
timeout 120 "${chrome[@]}" --screenshot="$out/report.png" --window-size=1400,1000 "file://$out/report.html" 2>&1 | quiet
timeout 120 "${chrome[@]}" --screenshot="$out/report-full.png" --window-size=1400,6000 "file://$out/report.html" 2>&1 | quiet
# the DOM after the inline script ran (sorting/filter boxes added, body data-ready="1"): what a reader's browser holds
timeout 120 "${chrome[@]}" --virtual-time-budget=3000 --dump-dom "file://$out/report.html" > "$out/report.dom.html" 2> >(quiet >&2)
[ -s "$out/report.png" ] || { echo "report-screenshot: no screenshot written" >&2; exit 1; }
echo "screenshot: $out/report.png"
echo "report:     $out/report.html"

#!/usr/bin/env bash
# run_fuzzer.sh BINARY SEED_DIR WORK_DIR SECONDS
# Copies the seed corpus into WORK_DIR (so seeds in git stay small) and fuzzes for SECONDS.
# Fails if the fuzzer finds a crash, or if it executed nothing.
set -euo pipefail
bin="$1"; seeds="$2"; work="$3"; seconds="$4"
mkdir -p "$work" "$work/artifacts"
rm -f "$work/../$(basename "$bin").summary"
cp -n "$seeds"/* "$work"/ 2>/dev/null || true
log="$work/../$(basename "$bin").log"
"$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 "$work" >"$log" 2>&1 || {
  tail -60 "$log"; echo "FAILED: $(basename "$bin") found a problem; reproducer in $work/artifacts"; exit 1; }
runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
files=$(find "$work" -maxdepth 1 -type f | wc -l)
echo "$(basename "$bin"): ${runs} inputs in ${seconds}s, ${cov:-cov: ?}, corpus ${files} files, no crash" |
  tee "$work/../$(basename "$bin").summary"
[ "${runs:-0}" -gt 0 ] || { echo "FAILED: fuzzer executed no inputs"; exit 1; }

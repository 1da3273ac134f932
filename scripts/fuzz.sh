#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for SECONDS (default 15).
# Longer runs: scripts/fuzz.sh 600   (corpora grow in build-fuzz/corpus-work/<target>/;
# SFU_FUZZ_JOBS=2 runs two targets at once). Prints per target: inputs executed, coverage
# (libFuzzer's cov/ft counters), corpus size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_EACH="${1:-15}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$ROOT" -B "$ROOT/build-fuzz" -G Ninja -DSFU_BUILD_FUZZERS=ON -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSFU_FUZZ_SECONDS="$SECONDS_EACH" "${launcher[@]}" >/dev/null
ninja -C "$ROOT/build-fuzz" -j "${SFU_JOBS:-2}"
status=0
ctest --test-dir "$ROOT/build-fuzz" --output-on-failure -j "${SFU_FUZZ_JOBS:-1}" || status=$?
echo "[fuzz] per target (inputs executed, libFuzzer coverage counters, corpus files):"
cat "$ROOT"/build-fuzz/corpus-work/*.summary 2>/dev/null || true
exit $status

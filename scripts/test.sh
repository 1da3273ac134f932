#!/usr/bin/env bash
# One command: install what is missing, build, and run every test:
#   0. layering (scripts/check-layers.sh) and format (scripts/check-format.sh) checks
#   1. fuzz targets (clang + libFuzzer), each for SFU_FUZZ_SECONDS (default 15) on its seed corpus
#   2. the C++ unit and network tests again, built with ASan + UBSan (LSan on): scripts/sanitize.sh
#   3. unit tests (GoogleTest) and integration tests (the real sfu-server on loopback, driven by
#      Node's test runner and the real @aws-sdk/client-chime-sdk-meetings), through ctest.
# Exits non-zero if anything fails or if no test ran.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
start=$(date +%s)
"$ROOT/scripts/setup.sh"
echo "[test] layering and format checks"
"$ROOT/scripts/check-layers.sh"
"$ROOT/scripts/check-format.sh"
"$ROOT/scripts/build.sh"
echo "[test] fuzz targets (${SFU_FUZZ_SECONDS:-15}s each)"
"$ROOT/scripts/fuzz.sh" "${SFU_FUZZ_SECONDS:-15}"
echo "[test] C++ tests under ASan + UBSan + LeakSanitizer"
"$ROOT/scripts/sanitize.sh"
echo "[test] unit and integration tests"
ctest --test-dir "$ROOT/build" --output-on-failure -j 2 --no-tests=error
echo "[test] all passed in $(( $(date +%s) - start ))s"

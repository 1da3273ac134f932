#!/usr/bin/env bash
# Configures and builds the server and its tests in build/ (RelWithDebInfo, gcc, ccache).
# Usage: scripts/build.sh [extra cmake -D options]
# Environment: SFU_BUILD_DIR (default build/), SFU_BUILD_TYPE, SFU_JOBS (default 2),
# SFU_BUILD_TARGETS (space-separated ninja targets; default all, e.g. "sfu-server").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SFU_BUILD_DIR:-$ROOT/build}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "[build] configuring $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE="${SFU_BUILD_TYPE:-RelWithDebInfo}" \
  "${launcher[@]}" "$@" | grep -E "SRTP crypto backend|Error|error" >&2 || true
echo "[build] compiling (ninja -j2)" >&2
# shellcheck disable=SC2086  # a list of target names
ninja -C "$BUILD" -j "${SFU_JOBS:-2}" ${SFU_BUILD_TARGETS:-}

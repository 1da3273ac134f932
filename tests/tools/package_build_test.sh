#!/usr/bin/env bash
# Fixture of the package tests (tests/tools/CMakeLists.txt): scripts/package.sh packages the
# build's own sfu-server into $SFU_PACKAGE_DIR (a stale .deb is removed first). Also checks the
# script's --help and its refusal of an unknown flag.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/package_common.sh"
: "${SFU_PACKAGE_DIR:?set by tests/tools/CMakeLists.txt}"

"$ROOT/scripts/package.sh" --help | grep -q "^Usage: scripts/package.sh" || fail "package.sh --help"
if "$ROOT/scripts/package.sh" --bogus 2>/dev/null; then fail "package.sh accepted --bogus"; fi
rm -rf "$SFU_PACKAGE_DIR"
start=$(date +%s%N)
deb="$("$ROOT/scripts/package.sh" --binary "$SFU_SERVER_BIN" --out "$SFU_PACKAGE_DIR")"
[ "$deb" = "$(package_deb)" ] || fail "package.sh printed $deb"
ms=$((($(date +%s%N) - start) / 1000000))
echo "ok: built ${deb#"$ROOT"/} ($(stat -c %s "$deb") bytes) in $ms ms"

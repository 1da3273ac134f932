# shellcheck shell=bash
# Sourced by the tests/tools/package_*_test.sh scripts: where the .deb under test is, and how
# they fail. Under ctest the fixture test tools.package_build makes it once in $SFU_PACKAGE_DIR
# from the build's own sfu-server (tests/tools/CMakeLists.txt); run by hand, a test packages
# $SFU_SERVER_BIN (default build/sfu-server) into a temp dir itself.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SFU_SERVER_BIN="${SFU_SERVER_BIN:-$ROOT/build/sfu-server}"

fail() { echo "FAIL: $*" >&2; exit 1; }

# package_deb TMPDIR: prints the path of the .deb to test.
package_deb() {
  local dir="${SFU_PACKAGE_DIR:-}" debs
  if [ -z "$dir" ]; then
    dir="$1/package"
    "$ROOT/scripts/package.sh" --binary "$SFU_SERVER_BIN" --out "$dir" >/dev/null ||
      fail "scripts/package.sh failed"
  fi
  debs=("$dir"/sfu-server_*.deb)
  if [ "${#debs[@]}" -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    fail "expected one sfu-server_*.deb in $dir, found: ${debs[*]}"
  fi
  echo "${debs[0]}"
}

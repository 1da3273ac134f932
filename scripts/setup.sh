#!/usr/bin/env bash
# Installs everything the project needs on Debian 12 (bookworm), idempotently:
#   - Debian packages (compilers, libraries, SQLite, Node.js for the API client tests; iproute2 and
#     nftables for the tests' own network namespaces; coturn as a TURN server and janus as a peer
#     media server (scripts/bench.sh peers), both started by the tests and benchmarks themselves
#     with their own configuration: neither is ever left enabled or running as a system service;
#     systemd and procps for the package tests: systemd-analyze, and systemd booted in a
#     throwaway container)
#   - libsrtp2 built with OpenSSL crypto from Debian's own source package into .deps/prefix
#     (Debian's binary libsrtp2 uses NSS, 2-5x slower; it stays the fallback)
#   - npm packages for the client tests (web/package-lock.json)
# Run as root (or with sudo available). Safe to run again: finished steps are skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
PREFIX="$DEPS/prefix"
SRTP_VERSION_EXPECTED="2.5.0"
log() { printf '[setup] %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    log "error: not root and no sudo: cannot install Debian packages"; exit 1; fi
fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-program-options1.81-dev
  libssl-dev libsrtp2-dev libusrsctp-dev libopus-dev libvpx-dev
  prometheus-cpp-dev libgtest-dev libgmock-dev
  libprotobuf-dev protobuf-compiler nlohmann-json3-dev libsqlite3-dev
  clang libclang-rt-14-dev clang-format python3 dpkg-dev curl openssl
  chromium iproute2 nftables coturn janus systemd procps
  redis-server libhiredis-dev
)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
  command -v node >/dev/null || echo nodejs
  command -v npm >/dev/null || echo npm
}

install_packages() {
  local missing
  missing="$(missing_packages | tr '\n' ' ')"
  if [ -z "${missing// /}" ]; then log "Debian packages: all present"; return; fi
  log "Debian packages: installing $missing"
  $SUDO apt-get update -qq
  # Debian's coturn, janus and redis-server enable and start their services (coturn.service: a
  # TURN server on port 3478, the server's default media port; janus: its init script starts it
  # with no enable switch; redis-server on 6379). While they are installed, a policy-rc.d forbids those starts
  # (deb-systemd-invoke and invoke-rc.d ask it), unless the machine already has one.
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [[ " $missing " == *" coturn "* || " $missing " == *" janus "* || " $missing " == *" redis-server "* ]] && [ ! -e "$policy" ]; then
    own_policy=1
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    printf '#!/bin/sh\n# scripts/setup.sh, during apt-get install: coturn, janus and redis-server must not start as services\n%s\n' \
      'for a; do case "$a" in coturn|coturn.service|janus|janus.service|redis-server|redis-server.service) exit 101 ;; esac; done; exit 0' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  local rc=0
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
  if [ -n "$own_policy" ]; then $SUDO rm -f "$policy"; trap - EXIT; fi
  return "$rc"
}

# Tests and benchmarks start coturn, janus and redis-server themselves; the system services stay disabled and
# stopped. With systemd: disable --now. Without it: coturn's init script starts nothing unless
# /etc/default/coturn says TURNSERVER_ENABLED=1, but janus's has no such switch, so its boot
# links are disabled and a daemon the init script started (its pid file) is stopped; janus
# processes started by anything else are left alone.
keep_services_off() {
  local unit
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    for unit in coturn janus redis-server; do
      if systemctl --quiet is-enabled "$unit.service" 2>/dev/null || systemctl --quiet is-active "$unit.service" 2>/dev/null; then
        log "$unit: disabling and stopping the system service (tests run their own)"
        $SUDO systemctl disable --now "$unit.service" >/dev/null 2>&1 || log "WARNING: could not disable $unit.service"
      fi
    done
    return 0
  fi
  if [ -x /etc/init.d/redis-server ]; then
    if ls /etc/rc[2-5].d/S*redis-server >/dev/null 2>&1; then
      log "redis-server: disabling the init script's boot start (tests run their own)"
      $SUDO update-rc.d redis-server disable >/dev/null 2>&1 || log "WARNING: could not disable /etc/init.d/redis-server"
    fi
    local rpid
    rpid="$(cat /run/redis/redis-server.pid 2>/dev/null || true)"
    if [ -n "$rpid" ] && [ "$(cat "/proc/$rpid/comm" 2>/dev/null)" = redis-server ]; then
      log "redis-server: stopping the system service (pid $rpid)"
      $SUDO /etc/init.d/redis-server stop >/dev/null 2>&1 || $SUDO kill "$rpid" || true
    fi
  fi
  [ -x /etc/init.d/janus ] || return 0
  if ls /etc/rc[2-5].d/S*janus >/dev/null 2>&1; then
    log "janus: disabling the init script's boot start (tests run their own)"
    $SUDO update-rc.d janus disable >/dev/null 2>&1 || log "WARNING: could not disable /etc/init.d/janus"
  fi
  local pidfile=/var/run/janus.pid pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = janus ]; then
    log "janus: stopping the system service (pid $pid from $pidfile)"
    $SUDO /etc/init.d/janus stop >/dev/null 2>&1 || $SUDO kill "$pid" || true
  fi
}

build_srtp_openssl() {
  local stamp="$PREFIX/.srtp-openssl-$SRTP_VERSION_EXPECTED"
  if [ -f "$stamp" ]; then log "libsrtp2 (OpenSSL crypto): already built in $PREFIX"; return 0; fi
  mkdir -p "$DEPS/src"
  local src_list=/etc/apt/sources.list.d/debian-src.sources
  if [ ! -f "$src_list" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
    log "adding deb-src twin of the Debian source list ($src_list)"
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $SUDO tee "$src_list" >/dev/null
    $SUDO apt-get update -qq || return 1
  fi
  log "libsrtp2: fetching Debian's source package"
  ( cd "$DEPS/src" && rm -rf libsrtp* && apt-get source --download-only libsrtp2 >/dev/null 2>&1 ) || return 1
  local orig
  orig="$(ls "$DEPS"/src/libsrtp2_*.orig.tar.* 2>/dev/null | head -1)"
  [ -n "$orig" ] || return 1
  ( cd "$DEPS/src" && tar xf "$orig" ) || return 1
  local dir
  dir="$(find "$DEPS/src" -maxdepth 1 -type d -name 'libsrtp-*' | head -1)"
  [ -n "$dir" ] || return 1
  log "libsrtp2: building $(basename "$dir") with OpenSSL crypto into $PREFIX"
  cmake -S "$dir" -B "$DEPS/src/libsrtp-build" -G Ninja -DENABLE_OPENSSL=ON -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DLIBSRTP_TEST_APPS=OFF -DCMAKE_INSTALL_PREFIX="$PREFIX" >/dev/null || return 1
  cmake --build "$DEPS/src/libsrtp-build" -j2 >/dev/null || return 1
  cmake --install "$DEPS/src/libsrtp-build" >/dev/null || return 1
  touch "$stamp"
}

install_npm() {
  local web="$ROOT/web"
  [ -f "$web/package.json" ] || return 0
  local stamp="$web/node_modules/.setup-stamp" lock
  lock="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)"
  # Up to date when the stamp names this lock file's content (an older, empty stamp: when it is
  # newer than the lock file). Content, not time alone: every file of a fresh git worktree is
  # newer than any stamp.
  if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$lock" ] ||
                          { [ ! -s "$stamp" ] && [ "$stamp" -nt "$web/package-lock.json" ]; }; }; then
    log "npm packages: up to date"; return; fi
  if [ -L "$web/node_modules" ]; then
    # A worktree sharing another checkout's node_modules through a link: npm ci here would empty
    # the shared folder under everyone using it.
    log "npm packages: web/node_modules links to $(readlink "$web/node_modules") and was not installed" \
        "from this lock file; run setup.sh in the checkout that owns it (not touched here)"
    return
  fi
  log "npm packages: installing (web/package-lock.json)"
  ( cd "$web" && npm ci --no-audit --no-fund --loglevel=error ) && echo "$lock" >"$stamp"
}

install_packages
keep_services_off
if build_srtp_openssl; then
  echo openssl > "$DEPS/srtp-backend"
else
  log "WARNING: could not build libsrtp2 with OpenSSL from Debian's source package;"
  log "WARNING: falling back to Debian's binary libsrtp2 (NSS crypto, slower)"
  echo nss > "$DEPS/srtp-backend"
fi
install_npm
log "done"

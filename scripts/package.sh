#!/usr/bin/env bash
# Builds the Debian package of sfu-server with dpkg-deb (see usage below). Package files live
# in deploy/: systemd/ (the unit), etc/ (config and secrets file), debian/ (maintainer scripts,
# copyright), grafana/ (the dashboard).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPLOY="$ROOT/deploy"

usage() {
  cat <<'EOF'
Usage: scripts/package.sh [--binary FILE] [--out DIR]

Builds sfu-server_<version>_<arch>.deb, which holds:
  /usr/bin/sfu-server                            the server, stripped
  /lib/systemd/system/sfu-server.service         the sandboxed systemd unit (enabled on install,
                                                 started when systemd runs)
  /etc/sfu-server/sfu-server.conf                options (conffile; data-dir /var/lib/sfu-server)
  /etc/sfu-server/sfu-server.env                 secrets as SFU_* variables (conffile, mode 0600)
  /usr/share/sfu-server/grafana/sfu-server.json  the Grafana dashboard
  /usr/share/doc/sfu-server/                     README.md, docs/*.md, copyright
Depends: from dpkg-shlibdeps on the binary. Install: apt install ./dist/sfu-server_*.deb

Options:
  --binary FILE  package this sfu-server instead of building one (the tests pass build/sfu-server;
                 it must not be a sanitizer build)
  --out DIR      where the .deb goes (default: dist/)
  -h, --help     print this help

Without --binary the script installs what is missing (scripts/setup.sh) and builds the
sfu-server target alone with scripts/build.sh (build/, RelWithDebInfo, ccache; SFU_BUILD_DIR
and SFU_JOBS apply). The version is the binary's own
(sfu-server --version) plus the commit: 0.1.0+git<commits>.<hash>. SFU_DEB_MAINTAINER sets the
Maintainer field.
EOF
}

binary="" out="$ROOT/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a file}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in dpkg-deb dpkg-shlibdeps strip; do
  if ! command -v "$tool" >/dev/null; then
    echo "package.sh: $tool missing: run scripts/setup.sh" >&2
    exit 2
  fi
done

if [ -z "$binary" ]; then
  "$ROOT/scripts/setup.sh"
  SFU_BUILD_TARGETS=sfu-server "$ROOT/scripts/build.sh"
  binary="${SFU_BUILD_DIR:-$ROOT/build}/sfu-server"
fi
[ -x "$binary" ] || { echo "package.sh: $binary is not an executable" >&2; exit 2; }
if ldd "$binary" | grep -qE 'lib(asan|ubsan|tsan)'; then
  echo "package.sh: $binary is a sanitizer build; package a normal one" >&2; exit 2
fi

# "sfu-server 0.1.0 (a2d89e82ea28)" -> 0.1.0+git<commits up to it>.a2d89e82ea28
read -r _ upstream commit_paren < <("$binary" --version)
commit="${commit_paren//[()]/}"
[ -n "$upstream" ] || { echo "package.sh: $binary --version printed no version" >&2; exit 2; }
version="$upstream"
if count="$(git -C "$ROOT" rev-list --count "$commit" 2>/dev/null)"; then
  version="$upstream+git$count.$commit"
  SOURCE_DATE_EPOCH="$(git -C "$ROOT" log -1 --format=%ct "$commit")"
  export SOURCE_DATE_EPOCH  # dpkg-deb's file times
fi
arch="$(dpkg --print-architecture)"

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# debian/<package>/ is where dpkg-shlibdeps expects the files of the package it is run for.
pkg="$work/debian/sfu-server"
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/etc/sfu-server" \
  "$pkg/lib/systemd/system" "$pkg/usr/share/sfu-server/grafana" "$pkg/usr/share/doc/sfu-server"
strip --remove-section=.comment -o "$pkg/usr/bin/sfu-server" "$binary"
chmod 0755 "$pkg/usr/bin/sfu-server"
install -m 0644 "$DEPLOY/systemd/sfu-server.service" "$pkg/lib/systemd/system/"
install -m 0644 "$DEPLOY/etc/sfu-server.conf" "$pkg/etc/sfu-server/"
install -m 0600 "$DEPLOY/etc/sfu-server.env" "$pkg/etc/sfu-server/"
install -m 0644 "$DEPLOY/grafana/sfu-server.json" "$pkg/usr/share/sfu-server/grafana/"
install -m 0644 "$ROOT/README.md" "$ROOT"/docs/*.md "$DEPLOY/debian/copyright" \
  "$pkg/usr/share/doc/sfu-server/"
install -m 0755 "$DEPLOY/debian/postinst" "$DEPLOY/debian/prerm" "$DEPLOY/debian/postrm" "$pkg/DEBIAN/"
printf '/etc/sfu-server/sfu-server.conf\n/etc/sfu-server/sfu-server.env\n' >"$pkg/DEBIAN/conffiles"
(cd "$pkg" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z |
  xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"

printf 'Source: sfu-server\n\nPackage: sfu-server\nArchitecture: any\n' >"$work/debian/control"
depends="$(cd "$work" && dpkg-shlibdeps -O debian/sfu-server/usr/bin/sfu-server |
  sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { echo "package.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat >"$pkg/DEBIAN/control" <<EOF
Package: sfu-server
Version: $version
Architecture: $arch
Maintainer: ${SFU_DEB_MAINTAINER:-sfu-server maintainers <sfu-server@localhost>}
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $depends
Section: net
Priority: optional
Description: media server for Amazon Chime SDK clients
 A self-hosted media server that Amazon Chime SDK clients join unmodified: the
 Chime SDK Meetings control API (AWS SigV4, SQLite store), the Chime signaling
 WebSocket, ICE-lite/DTLS-SRTP media over UDP, ICE-TCP and embedded TURN, an
 audio mixer (mix-minus) and a video SFU with simulcast, Prometheus metrics.
 .
 Runs as the systemd service sfu-server.service, configured in
 /etc/sfu-server/sfu-server.conf, with its data in /var/lib/sfu-server.
EOF

mkdir -p "$out"
deb="$out/sfu-server_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$pkg" "$deb" >/dev/null
echo "$deb"

#!/usr/bin/env bash
# Checks what scripts/package.sh puts in the .deb (dpkg-deb --info, --contents, the control
# archive): the control fields, Depends covering every shared library the binary needs, each
# file with its mode and owner and nothing else, conffiles, md5sums, the maintainer scripts, and
# that the packaged unit, config and dashboard are the repository's deploy/ files.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/package_common.sh"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
deb="$(package_deb "$tmp")"
dpkg-deb --extract "$deb" "$tmp/root"
dpkg-deb --control "$deb" "$tmp/control"
field() { dpkg-deb --field "$deb" "$1"; }

# Control fields. The version is the binary's own plus its commit (scripts/package.sh).
[ "$(field Package)" = sfu-server ] || fail "Package: $(field Package)"
arch="$(field Architecture)"
[ "$arch" = "$(dpkg --print-architecture)" ] || fail "Architecture: $arch"
read -r _ upstream commit < <("$tmp/root/usr/bin/sfu-server" --version)
version="$(field Version)"
[[ "$version" =~ ^${upstream//./\\.}(\+git[0-9]+\.${commit//[()]/})?$ ]] ||
  fail "Version $version does not match the binary's --version: $upstream $commit"
for f in Maintainer Installed-Size Description Section; do [ -n "$(field "$f")" ] || fail "no $f"; done
echo "ok: control: sfu-server $version $arch"

# Depends: each library the binary needs (NEEDED), found by the dynamic linker on this machine,
# belongs to a Debian package that Depends names.
depends="$(field Depends)"
dep_names="$(tr ',|' '\n\n' <<<"$depends" | awk 'NF { print $1 }')"
needed="$(readelf -d "$tmp/root/usr/bin/sfu-server" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
[ -n "$needed" ] || fail "readelf found no NEEDED libraries"
for soname in $needed; do
  path="$(ldd "$tmp/root/usr/bin/sfu-server" | awk -v s="$soname" '$1 == s { print $3 }')"
  [ -n "$path" ] || fail "$soname: not found by ldd"
  owner="$(dpkg -S "$(realpath "$path")" 2>/dev/null || dpkg -S "$path" 2>/dev/null)" ||
    fail "$soname ($path) belongs to no Debian package"
  owner="${owner%%:*}"
  grep -qxF "$owner" <<<"$dep_names" || fail "$soname is in $owner, which Depends lacks: $depends"
done
if [ "$(cat "$ROOT/.deps/srtp-backend" 2>/dev/null)" = openssl ]; then
  grep -q libsrtp2 <<<"$needed" && fail "libsrtp2 should be linked statically (.deps/prefix)"
fi
echo "ok: Depends covers the $(wc -w <<<"$needed") libraries the binary needs: $depends"

# Files, modes and owners: exactly these, all root's.
expected="$(
  {
    echo "-rwxr-xr-x ./usr/bin/sfu-server"
    echo "-rw-r--r-- ./lib/systemd/system/sfu-server.service"
    echo "-rw-r--r-- ./etc/sfu-server/sfu-server.conf"
    echo "-rw------- ./etc/sfu-server/sfu-server.env"
    echo "-rw-r--r-- ./usr/share/sfu-server/grafana/sfu-server.json"
    for doc in README.md copyright "$ROOT"/docs/*.md; do
      echo "-rw-r--r-- ./usr/share/doc/sfu-server/$(basename "$doc")"
    done
  } | sort
)"
listing="$(dpkg-deb --contents "$deb")"
actual="$(awk '$1 !~ /^d/ { print $1, $6 }' <<<"$listing" | sort)"
[ "$actual" = "$expected" ] ||
  fail "files differ from the expected list:$(diff <(echo "$expected") <(echo "$actual"))"
awk '$2 != "root/root" { bad = 1; print "not root/root: " $0 } END { exit bad }' <<<"$listing" ||
  fail "owners"
awk '$1 ~ /^d/ && $1 != "drwxr-xr-x" { bad = 1; print "directory mode: " $0 } END { exit bad }' \
  <<<"$listing" || fail "directory modes"
echo "ok: $(wc -l <<<"$actual") files with the expected modes, owned by root"

# The packaged files are the repository's.
same() { cmp -s "$1" "$2" || fail "$2 differs from $1"; }
same "$ROOT/deploy/systemd/sfu-server.service" "$tmp/root/lib/systemd/system/sfu-server.service"
same "$ROOT/deploy/etc/sfu-server.conf" "$tmp/root/etc/sfu-server/sfu-server.conf"
same "$ROOT/deploy/etc/sfu-server.env" "$tmp/root/etc/sfu-server/sfu-server.env"
same "$ROOT/deploy/grafana/sfu-server.json" "$tmp/root/usr/share/sfu-server/grafana/sfu-server.json"
same "$ROOT/deploy/debian/copyright" "$tmp/root/usr/share/doc/sfu-server/copyright"
if readelf -S "$tmp/root/usr/bin/sfu-server" | grep -qE '\.(symtab|debug_info)'; then
  fail "binary not stripped"
fi
echo "ok: unit, config, env file, dashboard and copyright are deploy/'s; the binary is stripped"

# Control archive: conffiles, md5sums of every other file, maintainer scripts.
conffiles="$(cat "$tmp/control/conffiles")"
[ "$conffiles" = $'/etc/sfu-server/sfu-server.conf\n/etc/sfu-server/sfu-server.env' ] ||
  fail "conffiles: $conffiles"
(cd "$tmp/root" && md5sum --quiet -c "$tmp/control/md5sums") || fail "md5sums do not match"
[ "$(wc -l <"$tmp/control/md5sums")" -eq "$(($(wc -l <<<"$actual") - 2))" ] ||
  fail "md5sums should list every file but the 2 conffiles"
for script in postinst prerm postrm; do
  f="$tmp/control/$script"
  [ "$(stat -c %a "$f")" = 755 ] || fail "$script mode $(stat -c %a "$f")"
  { [ "$(head -1 "$f")" = "#!/bin/sh" ] && sh -n "$f"; } || fail "$script: not a valid /bin/sh script"
  grep -q 'run/systemd/system' "$f" || fail "$script does not check that systemd runs"
done
echo "ok: conffiles, md5sums, postinst/prerm/postrm"

# The config: its active lines, and every option named in it or the env file exists.
active="$(grep -vE '^\s*(#|$)' "$tmp/root/etc/sfu-server/sfu-server.conf" | tr -d ' ')"
[ "$active" = $'listen=0.0.0.0:8080\nmedia-port=3478\ndata-dir=/var/lib/sfu-server' ] ||
  fail "active config lines: $active"
help="$("$tmp/root/usr/bin/sfu-server" --help)"
etc="$tmp/root/etc/sfu-server"
names="$(sed -n 's/^#\{0,1\}\([a-z][a-z-]*\) = .*/\1/p' "$etc/sfu-server.conf")
$(sed -n 's/^#\{0,1\}SFU_\([A-Z_]*\)=.*/\1/p' "$etc/sfu-server.env" | tr 'A-Z_' 'a-z-')"
for name in $names; do
  grep -q -- "--$name " <<<"$help" || fail "config names --$name, which sfu-server lacks"
done
echo "ok: config sets listen, media-port, data-dir; its $(wc -w <<<"$names") option names are real"
echo "package contents: all checks passed"

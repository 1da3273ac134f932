#!/usr/bin/env bash
# Checks the packaged systemd unit with systemd's own tools, offline (no running systemd needed):
# `systemd-analyze verify` on the package extracted into a root that also holds this machine's
# systemd units (the targets the unit's default dependencies name), with any output a failure
# (verify reports unknown keys and bad values as warnings and still exits 0; planted ones show
# it does report them); `systemd-analyze security --offline` for the sandbox's exposure; and the
# settings the package promises (docs: scripts/package.sh --help, README.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/package_common.sh"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
deb="$(package_deb "$tmp")"
command -v systemd-analyze >/dev/null ||
  fail "systemd-analyze missing (Debian package systemd; scripts/setup.sh)"
[ -f /lib/systemd/system/sysinit.target ] ||
  fail "/lib/systemd/system has no sysinit.target (Debian package systemd; scripts/setup.sh)"
root="$tmp/root"
dpkg-deb --extract "$deb" "$root"
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
unit="$root/lib/systemd/system/sfu-server.service"
cp "$unit" "$tmp/unit.orig"

verify() { systemd-analyze --root="$root" verify sfu-server.service 2>&1; }
if ! out="$(verify)" || [ -n "$out" ]; then fail "systemd-analyze verify:"$'\n'"$out"; fi
echo "ok: systemd-analyze verify: no error, no warning"

plant() {  # plant <sed expression> <words the report must contain>
  cp "$tmp/unit.orig" "$unit"
  sed -i "$1" "$unit"
  out="$(verify || true)"
  grep -q "$2" <<<"$out" || fail "verify missed a planted mistake ($1): ${out:-no output}"
  echo "ok: a planted mistake is reported: $(head -1 <<<"$out" | sed "s|$root||")"
}
plant 's/^ProtectHome=yes/ProtectHome=yes\nProtectSystm=strict/' "Unknown key"
plant 's/^RestrictRealtime=yes/RestrictRealtime=maybe/' "Failed to parse"
plant 's|^ExecStart=/usr/bin/sfu-server|ExecStart=/usr/bin/sfu-serverx|' "is not executable"
cp "$tmp/unit.orig" "$unit"

# Exposure on systemd's 0-10 scale (threshold in tenths); 1.7 when written.
out="$(systemd-analyze --root="$root" security --offline=true --threshold=20 sfu-server.service 2>&1)" ||
  fail "systemd-analyze security: exposure over 2.0:"$'\n'"$(tail -3 <<<"$out")"
echo "ok: systemd-analyze security: $(grep -o 'Overall exposure level.*' <<<"$out")"
json="$(systemd-analyze --root="$root" security --offline=true --json=short sfu-server.service)"
for field in UserOrDynamicUser NoNewPrivileges ProtectSystem ProtectHome PrivateTmp PrivateDevices \
  ProtectKernelTunables ProtectKernelModules ProtectControlGroups RestrictAddressFamilies_AF_PACKET \
  RestrictAddressFamilies_OTHER CapabilityBoundingSet_CAP_SYS_ADMIN RestrictNamespaces_user \
  MemoryDenyWriteExecute SystemCallArchitectures; do
  python3 -c 'import json, sys
d = {e["json_field"]: e["set"] for e in json.loads(sys.argv[1])}
sys.exit(0 if d.get(sys.argv[2]) else 1)' "$json" "$field" || fail "security: $field is not in force"
done
echo "ok: systemd-analyze security: DynamicUser, NoNewPrivileges, ProtectSystem, ... in force"

# The exact settings promised.
for line in "ExecStart=/usr/bin/sfu-server --config /etc/sfu-server/sfu-server.conf" \
  "DynamicUser=yes" "StateDirectory=sfu-server" "WorkingDirectory=/var/lib/sfu-server" \
  "ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" "NoNewPrivileges=yes" \
  "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK" \
  "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" "AmbientCapabilities=CAP_NET_BIND_SERVICE" \
  "LimitNOFILE=1048576" "EnvironmentFile=-/etc/sfu-server/sfu-server.env" \
  "WantedBy=multi-user.target"; do
  grep -qxF "$line" "$unit" || fail "the unit lacks: $line"
done
grep -q "^data-dir = /var/lib/sfu-server$" "$root/etc/sfu-server/sfu-server.conf" ||
  fail "the config's data-dir is not the unit's StateDirectory"
echo "ok: ExecStart, DynamicUser, StateDirectory = data-dir, sandbox, CAP_NET_BIND_SERVICE, LimitNOFILE"
echo "package unit: all checks passed"

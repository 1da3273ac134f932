#!/usr/bin/env bash
# `apt-get install ./sfu-server_*.deb` as an administrator would, in throwaway containers of this
# machine (tests/tools/container.sh; nothing on the machine itself changes):
#  1. Without systemd running: the install succeeds, enables the unit for later boots and starts
#     nothing; purge leaves no file behind.
#  2. With systemd booted as PID 1: the install starts the service under its sandbox (a dynamic
#     user, CAP_NET_BIND_SERVICE alone, the state dir /var/lib/sfu-server) and it answers
#     /healthz on 8080; moved by a drop-in to port 443 with TLS, its key readable by root alone
#     and handed over by LoadCredential= (as /etc/sfu-server/sfu-server.conf describes), it
#     answers over HTTPS; a reinstall (the upgrade path) restarts it and the meeting made before
#     is still there; remove stops it and keeps config and store; purge deletes them and the
#     enablement; with a policy-rc.d that forbids starts, the install starts nothing.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/package_common.sh"
source "$here/container.sh"
[ "$(id -u)" -eq 0 ] || fail "needs root (namespaces, overlayfs, cgroups)"
tmp="$(mktemp -d)"
trap 'container_stop; rm -rf "$tmp"' EXIT
deb="$(package_deb "$tmp")"
name="$(basename "$deb")"

apt() {
  ct env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@" >"$tmp/apt.log" 2>&1 ||
    fail "apt-get $*:"$'\n'"$(tail -20 "$tmp/apt.log")"
}
absent() { for p in "$@"; do ! ct test -e "$p" || fail "$p is still there"; done; }
healthz() {  # healthz URL: the service answers within 10 s
  for _ in $(seq 100); do
    ct curl -fsSk "$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "no $1/healthz:"$'\n'"$(ct journalctl -u sfu-server --no-pager -n 15 -o cat 2>&1)"
}
wants=/etc/systemd/system/multi-user.target.wants/sfu-server.service

# 1. No systemd (a chroot, a container): PID 1 is `sleep`.
container_start sleep infinity
ct sh -c "cat >/var/tmp/$name" <"$deb"
apt install "/var/tmp/$name"
ct test -L "$wants" || fail "the unit is not enabled for the next boot"
! ct pgrep -x sfu-server >/dev/null || fail "sfu-server was started without systemd"
apt purge sfu-server
absent /usr/bin/sfu-server /etc/sfu-server /lib/systemd/system/sfu-server.service "$wants"
container_stop
echo "ok: without systemd: installed and enabled, nothing started; purge removed every file"

# 2. systemd as PID 1.
container_start /lib/systemd/systemd --system --unit=basic.target --log-level=warning
container_wait_booted
ct sh -c "cat >/var/tmp/$name" <"$deb"
apt install "/var/tmp/$name"
ct systemctl is-active --quiet sfu-server ||
  fail "not running after install:"$'\n'"$(ct systemctl status sfu-server --no-pager 2>&1)"
healthz http://127.0.0.1:8080
pid="$(ct systemctl show -P MainPID sfu-server)"
uid="$(ct awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
caps="$(ct awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")"
{ [ "$uid" != 0 ] && [ "$uid" = "$(ct stat -c %u /var/lib/private/sfu-server)" ]; } ||
  fail "runs as uid $uid, not the dynamic user owning /var/lib/private/sfu-server"
[ "$caps" = 0000000000000400 ] || fail "effective capabilities $caps, not CAP_NET_BIND_SERVICE alone"
{ [ "$(ct readlink /var/lib/sfu-server)" = private/sfu-server ] &&
  ct test -f /var/lib/sfu-server/sfu.db; } ||
  fail "no store in the state dir /var/lib/sfu-server"
meeting="$(ct curl -fsS -X POST http://127.0.0.1:8080/meetings \
  -d '{"ExternalMeetingId":"install-test"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["Meeting"]["MeetingId"])')"
echo "ok: installed with systemd: running as dynamic uid $uid with CAP_NET_BIND_SERVICE only," \
  "store in /var/lib/sfu-server, /healthz on 8080"

# Port 443 with TLS, the key readable by root alone (and in /root, which ProtectHome hides):
# handed over with LoadCredential=.
ct sh -c 'umask 077 && mkdir -p /root/sfu-tls && openssl req -x509 -newkey ec \
  -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /root/sfu-tls/key.pem \
  -out /root/sfu-tls/cert.pem -days 1 -subj /CN=localhost' \
  >/dev/null 2>&1 || fail "openssl could not make a certificate"
creds=/run/credentials/sfu-server.service
ct mkdir -p /etc/systemd/system/sfu-server.service.d
printf '%s\n' '[Service]' 'LoadCredential=tls-cert:/root/sfu-tls/cert.pem' \
  'LoadCredential=tls-key:/root/sfu-tls/key.pem' 'Environment=SFU_LISTEN=127.0.0.1:443' \
  "Environment=SFU_TLS_CERT=$creds/tls-cert SFU_TLS_KEY=$creds/tls-key" |
  ct sh -c 'cat >/etc/systemd/system/sfu-server.service.d/tls443.conf'
ct systemctl daemon-reload
ct systemctl restart sfu-server
healthz https://127.0.0.1:443
ct rm -r /etc/systemd/system/sfu-server.service.d
ct systemctl daemon-reload
ct systemctl restart sfu-server
echo "ok: HTTPS on port 443 as the unprivileged user, its key (in /root, mode 0600)" \
  "given by LoadCredential="

healthz http://127.0.0.1:8080
pid="$(ct systemctl show -P MainPID sfu-server)"
apt install --reinstall "/var/tmp/$name"
healthz http://127.0.0.1:8080
[ "$(ct systemctl show -P MainPID sfu-server)" != "$pid" ] ||
  fail "the reinstall did not restart the service"
ct curl -fsS "http://127.0.0.1:8080/meetings/$meeting" >/dev/null ||
  fail "meeting $meeting lost across the restart"
echo "ok: a reinstall restarts the service; the meeting is still there"

apt remove sfu-server
! ct systemctl is-active --quiet sfu-server || fail "still running after remove"
{ ct test -f /etc/sfu-server/sfu-server.conf && ct test -f /var/lib/private/sfu-server/sfu.db; } ||
  fail "remove deleted the config or the store"
absent /usr/bin/sfu-server /lib/systemd/system/sfu-server.service
apt purge sfu-server
absent /etc/sfu-server /var/lib/sfu-server /var/lib/private/sfu-server "$wants"
echo "ok: remove stops the service and keeps config and store; purge deletes them"

# An administrator's policy-rc.d that forbids starts (Docker images ship one) is obeyed.
printf '#!/bin/sh\nexit 101\n' | ct sh -c 'cat >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
apt install "/var/tmp/$name"
! ct systemctl is-active --quiet sfu-server || fail "started although policy-rc.d forbids it"
ct test -L "$wants" || fail "not enabled under a policy-rc.d"
echo "ok: a policy-rc.d that forbids starts is obeyed (enabled, not started)"
echo "package install: all checks passed"

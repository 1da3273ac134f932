#!/usr/bin/env bash
# Runs the packaged binary from the extracted package with the packaged config, overriding only
# the listen address, the media ports and the data dir (command-line flags win over the config
# file): it must answer /healthz, /readyz and /metrics, keep a meeting in the given data dir, and
# stop cleanly on SIGTERM. A copy of the config with an unknown option is refused, which shows
# the server does read that file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/package_common.sh"
tmp="$(mktemp -d)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
deb="$(package_deb "$tmp")"
root="$tmp/root"
dpkg-deb --extract "$deb" "$root"
bin="$root/usr/bin/sfu-server" conf="$root/etc/sfu-server/sfu-server.conf"
ldd "$bin" | grep -q "not found" && fail "unresolved libraries: $(ldd "$bin" | grep 'not found')"

cp "$conf" "$tmp/bad.conf"
echo "no-such-option = 1" >>"$tmp/bad.conf"
if out="$("$bin" --config "$tmp/bad.conf" --data-dir "$tmp/unused" 2>&1)"; then
  fail "unknown option accepted"
fi
grep -q "no-such-option" <<<"$out" || fail "refusal does not name the option: $out"
echo "ok: the server reads the config file (a copy with an unknown option is refused: $out)"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
"$bin" --config "$conf" --listen "127.0.0.1:$port" --media-port 0 --data-dir "$tmp/data" \
  >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "sfu-server exited:"$'\n'"$(cat "$tmp/log")"
  sleep 0.1
done
curl -fsS "$url/healthz" >/dev/null || fail "no /healthz within 10 s:"$'\n'"$(cat "$tmp/log")"
curl -fsS "$url/readyz" >/dev/null || fail "/readyz: $(curl -sS "$url/readyz")"
grep -qE "^  listen: +127\.0\.0\.1:$port$" "$tmp/log" || fail "effective listen is not the override"
grep -qE "^  data dir: +$tmp/data$" "$tmp/log" || fail "effective data dir is not the override"
curl -fsS -X POST "$url/meetings" -d '{"ExternalMeetingId":"package-run"}' >/dev/null ||
  fail "CreateMeeting"
[ -f "$tmp/data/sfu.db" ] || fail "no store in the data dir"
metrics="$(curl -fsS "$url/metrics")"
read -r _ upstream _ < <("$bin" --version)
grep -q "^sfu_build_info{.*version=\"$upstream\"} 1$" <<<"$metrics" ||
  fail "/metrics has no sfu_build_info"
grep -q '^sfu_meetings 1$' <<<"$metrics" || fail "/metrics does not count the meeting"
echo "ok: /healthz, /readyz, /metrics ($(grep -vc '^#' <<<"$metrics") samples) on the overrides"

kill -TERM "$pid"
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "still running 10 s after SIGTERM"
rc=0; wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "exit status $rc after SIGTERM:"$'\n'"$(tail -5 "$tmp/log")"
grep -q 'msg=stopped' "$tmp/log" || fail "no clean-stop line in the log"
echo "ok: SIGTERM: stopped cleanly, exit status 0"
echo "package run: all checks passed"

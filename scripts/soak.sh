#!/usr/bin/env bash
# Soak test (not part of the test command): sfu-server on loopback under sfu-loadtest with churn
# (an attendee leaves and rejoins every second, cameras on in half the meetings) for MINUTES,
# sampling the server's RSS and open descriptors every 10 s. After a warm-up (the first fifth,
# at least 1 minute) it fails if RSS grows by more than 10 % + 16 MiB or descriptors by more
# than 32 between the first and the last fifth of the run. Everything stays on 127.0.0.1 and
# stops by itself (the load tester's --duration; a watchdog past it).
#   scripts/soak.sh MINUTES [MEETINGS] [ATTENDEES]     e.g. scripts/soak.sh 60
# Output: a table of samples, the growth figures, PASS/FAIL; samples in build/soak-<time>.csv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MINUTES="${1:?usage: scripts/soak.sh MINUTES [MEETINGS] [ATTENDEES]}"
MEETINGS="${2:-4}"
ATTENDEES="${3:-10}"
"$ROOT/scripts/setup.sh" >/dev/null
"$ROOT/scripts/build.sh" >/dev/null
SECS=$((MINUTES * 60))
tmp="$(mktemp -d)"; port=$((20000 + RANDOM % 20000))
csv="$ROOT/build/soak-$(date +%Y%m%d-%H%M%S).csv"
cleanup() { kill ${server:-} ${lt:-} 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
"$ROOT/build/sfu-server" --listen "127.0.0.1:$port" --media-port 0 --data-dir "$tmp/data" --api-rate 0 \
  --http-max-per-address 0 --overload-late-ticks 0 --log-level warn >"$tmp/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "[soak] server pid $server on 127.0.0.1:$port; $MEETINGS meetings x $ATTENDEES attendees, churn 1/s, cameras in every other meeting, $MINUTES min"
# Two load testers: audio-only meetings, and meetings with two cameras each.
half=$(( (MEETINGS + 1) / 2 ))
"$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$port" --meetings "$half" --attendees "$ATTENDEES" \
  --talkers 2 --churn 1 --join-rate 10 --duration "$SECS" --json "$tmp/audio.json" >"$tmp/lt-audio.log" 2>&1 &
lt=$!
if [ $((MEETINGS - half)) -gt 0 ]; then
  "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$port" --meetings $((MEETINGS - half)) \
    --attendees "$ATTENDEES" --talkers 2 --video-senders 2 --churn 1 --join-rate 10 --duration "$SECS" \
    --json "$tmp/video.json" >"$tmp/lt-video.log" 2>&1 &
  lt="$lt $!"
fi
echo "seconds,rss_kib,fds" > "$csv"
start=$(date +%s)
printf '%8s %10s %6s\n' seconds rss_MiB fds
while :; do
  now=$(( $(date +%s) - start ))
  [ "$now" -gt $((SECS + 60)) ] && { echo "[soak] watchdog: load tester did not stop"; break; }
  kill -0 "$server" 2>/dev/null || { echo "[soak] FAIL: the server died"; tail -20 "$tmp/server.log"; exit 1; }
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
  fds=$(ls "/proc/$server/fd" | wc -l)
  echo "$now,$rss,$fds" >> "$csv"
  printf '%8d %10.1f %6d\n' "$now" "$(awk -v r="$rss" 'BEGIN{print r/1024}')" "$fds"
  running=0; for p in $lt; do kill -0 "$p" 2>/dev/null && running=1; done
  [ "$running" = 0 ] && break
  sleep 10
done
for p in $lt; do wait "$p" || true; done
python3 - "$csv" "$SECS" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["rss_kib"]), int(r["fds"])) for r in csv.DictReader(open(sys.argv[1]))]
secs = int(sys.argv[2])
warm = max(60, secs // 5)
body = [r for r in rows if warm <= r[0] <= secs]
if len(body) < 4:
    print("[soak] too few samples after warm-up to judge (run longer)"); sys.exit(1)
fifth = max(1, len(body) // 5)
first, last = body[:fifth], body[-fifth:]
avg = lambda xs, i: sum(x[i] for x in xs) / len(xs)
rss0, rss1 = avg(first, 1) / 1024, avg(last, 1) / 1024
fd0, fd1 = avg(first, 2), avg(last, 2)
per_hour = (rss1 - rss0) / max(1, (last[-1][0] - first[0][0])) * 3600
print(f"[soak] after warm-up ({warm} s): RSS {rss0:.1f} -> {rss1:.1f} MiB ({per_hour:+.1f} MiB/h), fds {fd0:.0f} -> {fd1:.0f}")
ok = rss1 <= rss0 * 1.10 + 16 and fd1 <= fd0 + 32
print("[soak] PASS" if ok else "[soak] FAIL: growth beyond the bound (RSS +10 % + 16 MiB, fds +32)")
sys.exit(0 if ok else 1)
PY
status=$?
echo "[soak] load testers' reports:"; tail -n 25 "$tmp"/lt-*.log | grep -E "result|joins|loss|mouth|frames" || true
echo "[soak] samples: $csv"
exit $status

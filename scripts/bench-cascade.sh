#!/usr/bin/env bash
# What the node-to-node cascade costs (docs/SCALING.md, "Cascade cost"): a benchmark, not a test
# (no thresholds). Everything on 127.0.0.1; redis-server and both sfu-server nodes (1 shard each)
# are started here with temp dirs and stopped at the end. Two runs with the same audience:
#   1. spread:  --replica-placement spread: the primary on node A, its replicas on node B, the
#               primary's media relayed once A -> B over the cascade link;
#   2. primary: --replica-placement primary: the replicas on A too (phase 1: no link).
# The primary meeting: TALKERS talking attendees, VIDEO of them with simulcast cameras
# (sfu-loadtest --meeting-id). Then REPLICAS replica meetings of VIEWERS silent attendees each
# (another sfu-loadtest per replica), for SECONDS. Per run and node: the shard CPU, the cascade's
# packets each way and its CPU per relayed packet (sfu_cascade_cpu_seconds_total, which
# includes reading the thread's CPU clock twice per packet), and what the viewers received.
# Environment: SFU_BENCH_TALKERS (2), SFU_BENCH_VIDEO (1), SFU_BENCH_REPLICAS (2),
# SFU_BENCH_VIEWERS (25), SFU_BENCH_SECONDS (20).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TALKERS="${SFU_BENCH_TALKERS:-2}"
VIDEO="${SFU_BENCH_VIDEO:-1}"
REPLICAS="${SFU_BENCH_REPLICAS:-2}"
VIEWERS="${SFU_BENCH_VIEWERS:-25}"
SECONDS_RUN="${SFU_BENCH_SECONDS:-20}"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
say() { printf '%s\n' "$*"; }
[ -x "$ROOT/build/sfu-server" ] && [ -x "$ROOT/build/sfu-loadtest" ] ||
  { say "build first: scripts/build.sh (or scripts/test.sh)"; exit 2; }

start_node() {  # start_node NAME PORT [flags]: waits for /healthz
  local name="$1" port="$2"; shift 2
  "$ROOT/build/sfu-server" --listen "127.0.0.1:$port" --media-port 0 --turn-port 0 --shards 1 \
    --data-dir "$TMP/$name" --api-rate 0 --http-max-per-address 0 --overload-late-ticks 0 \
    --log-level warn "$@" >"$TMP/$name.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  say "sfu-server $name did not start:"; cat "$TMP/$name.log"; exit 1
}
metric() {  # metric PORT REGEX: the sum of the matching series
  curl -s "http://127.0.0.1:$1/metrics" | awk -v re="$2" '$1 ~ re {s += $2} END {printf "%.6f", s}'
}
meeting() {  # meeting PORT [BODY]: a new meeting's id
  curl -s -X POST "http://127.0.0.1:$1/meetings" -d "${2:-{\}}" | grep -o '"MeetingId":"[^"]*"' | head -1 | cut -d'"' -f4
}
node_of() {  # node_of PORT MEETING: the port of its SignalingUrl
  curl -s "http://127.0.0.1:$1/meetings/$2" | grep -o '"SignalingUrl":"[^"]*"' | grep -o ':[0-9][0-9]*/' | head -1 | tr -d ':/'
}
summary() {  # summary NAME: the load test's receive figures
  python3 - "$TMP/$1.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"no report ({e})"); sys.exit(0)
j = r.get("joins", {})
a = r.get("audio", {})
v = r.get("video", {})
print(f"joins {j.get('succeeded')}/{j.get('attempted')}, audio packets received "
      f"{a.get('packets_received', '?')} (loss {a.get('loss_pct', '?')} %), video frames received "
      f"{v.get('frames_received', '?')} (freezes {v.get('freezes', '?')}), verdict {r.get('verdict')}")
PY
}

run() {  # run NAME POLICY
  local name="$1" policy="$2"
  local rp pa pb
  rp=$(free_port); pa=$(free_port); pb=$(free_port)
  redis-server --port "$rp" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly no \
    --daemonize no --logfile "$TMP/redis-$name.log" &
  PIDS+=($!)
  for _ in $(seq 50); do redis-cli -p "$rp" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  start_node "$name-a" "$pa" --redis "redis://127.0.0.1:$rp" --node-id a --replica-placement "$policy"
  start_node "$name-b" "$pb" --redis "redis://127.0.0.1:$rp" --node-id b --replica-placement "$policy"
  sleep 1.5  # both heartbeats in
  # The primary goes to whichever node has more room; call that node "a" from here on.
  local primary
  primary=$(meeting "$pa")
  if [ "$(node_of "$pa" "$primary")" != "$pa" ]; then
    local t="$pa"; pa="$pb"; pb="$t"
  fi
  say "primary on node a (port $pa); node b: port $pb"
  local sim=""
  [ "$VIDEO" -gt 0 ] && sim="--simulcast"
  "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$pa" --meeting-id "$primary" --quiet \
    --attendees "$TALKERS" --talkers "$TALKERS" --video-senders "$VIDEO" $sim \
    --duration $((SECONDS_RUN + 8)) --json "$TMP/$name-primary.json" >"$TMP/$name-primary.txt" 2>&1 &
  local lt_primary=$!
  sleep 3
  local cpu_a0 cpu_b0 lts=() r rid
  cpu_a0=$(metric "$pa" '^sfu_shard_cpu_seconds_total'); cpu_b0=$(metric "$pb" '^sfu_shard_cpu_seconds_total')
  for r in $(seq "$REPLICAS"); do
    rid=$(meeting "$pa" "{\"PrimaryMeetingId\":\"$primary\"}")
    say "replica $r on node $([ "$(node_of "$pa" "$rid")" = "$pa" ] && echo a || echo b)"
    "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$pa" --meeting-id "$rid" --quiet \
      --attendees "$VIEWERS" --talkers 0 --duration "$SECONDS_RUN" --join-rate 25 \
      --json "$TMP/$name-replica$r.json" >"$TMP/$name-replica$r.txt" 2>&1 &
    lts+=($!)
  done
  for p in "${lts[@]}"; do wait "$p" || true; done
  local cpu_a1 cpu_b1
  cpu_a1=$(metric "$pa" '^sfu_shard_cpu_seconds_total'); cpu_b1=$(metric "$pb" '^sfu_shard_cpu_seconds_total')
  wait "$lt_primary" || true
  say "shard CPU while the viewers ran: node a $(echo "$cpu_a1 - $cpu_a0" | bc) s, node b $(echo "$cpu_b1 - $cpu_b0" | bc) s"
  local sent recv scpu rcpu
  sent=$(metric "$pa" '^sfu_cascade_packets_total\{.*direction="send".*kind="(audio|video|retransmit)"')
  recv=$(metric "$pb" '^sfu_cascade_packets_total\{.*direction="receive".*kind="(audio|video)"')
  scpu=$(metric "$pa" '^sfu_cascade_cpu_seconds_total\{.*direction="send"')
  rcpu=$(metric "$pb" '^sfu_cascade_cpu_seconds_total\{.*direction="receive"')
  say "cascade: a sent $(printf %.0f "$sent") packets (audio $(printf %.0f "$(metric "$pa" '^sfu_cascade_packets_total\{.*direction="send".*kind="audio"')"), video $(printf %.0f "$(metric "$pa" '^sfu_cascade_packets_total\{.*direction="send".*kind="video"')"), retransmitted $(printf %.0f "$(metric "$pa" '^sfu_cascade_packets_total\{.*direction="send".*kind="retransmit"')")), b received $(printf %.0f "$recv")"
  if [ "$(printf %.0f "$sent")" -gt 0 ]; then
    say "cascade CPU per relayed packet: node a (send) $(echo "scale=2; $scpu * 1000000 / $sent" | bc) us, node b (receive, up to the hand-over; the fan-out to its viewers is theirs) $(echo "scale=2; $rcpu * 1000000 / $recv" | bc) us"
  fi
  local ticks tick_us
  ticks=$(metric "$pb" '^sfu_mixer_tick_cpu_microseconds_count')
  tick_us=$(metric "$pb" '^sfu_mixer_tick_cpu_microseconds_sum')
  [ "$(printf %.0f "$ticks")" -gt 0 ] &&
    say "node b mixer: $(printf %.0f "$ticks") ticks, $(echo "scale=1; $tick_us / $ticks" | bc) us each (with spread: the mirror's one decode and one encode for all its viewers)"
  say "primary talkers: $(summary "$name-primary")"
  for r in $(seq "$REPLICAS"); do say "replica $r viewers: $(summary "$name-replica$r")"; done
  # This run's processes: the last three started (redis, a, b) and the load testers (done).
  for _ in 1 2 3; do kill "${PIDS[-1]}" 2>/dev/null || true; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'; done
}

say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
say "commit:  $(git -C "$ROOT" rev-parse --short HEAD)"
say "load:    primary $TALKERS talkers ($VIDEO with simulcast cameras); $REPLICAS replicas x $VIEWERS viewers, ${SECONDS_RUN} s"
say; say "== 1. spread: replicas on node b, media over the cascade link =="
run spread spread
say; say "== 2. primary: replicas on node a with their primary (no link) =="
run primary primary

#!/usr/bin/env bash
# Cluster mode against one node, side by side on this machine (docs/SCALING.md): a benchmark,
# not a test (no thresholds). Everything on 127.0.0.1; redis-server and every sfu-server are
# started here with temp dirs and stopped at the end.
#   1. single node, SQLite: one sfu-server (1 shard);
#   2. cluster: redis-server (appendonly yes, appendfsync everysec) + three sfu-server nodes
#      (1 shard each), the API latency through node A, the load test's meetings created through
#      A, B and C in turn (sfu-loadtest --cluster-endpoint).
# For each: CreateMeeting / CreateAttendee latency at the server (its own histogram), and
# sfu-loadtest's join time for MEETINGS x ATTENDEES (2 talkers each) joining through the
# MediaPlacement URLs. For the cluster also: Redis commands per CreateMeeting, per CreateAttendee,
# per join and per idle node-second (INFO commandstats), and how the meetings spread.
# Environment: SFU_BENCH_MEETINGS (12), SFU_BENCH_ATTENDEES (10), SFU_BENCH_SECONDS (15),
# SFU_BENCH_API_CALLS (200: meetings created for the latency figures).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MEETINGS="${SFU_BENCH_MEETINGS:-12}"
ATTENDEES="${SFU_BENCH_ATTENDEES:-10}"
SECONDS_RUN="${SFU_BENCH_SECONDS:-15}"
API_CALLS="${SFU_BENCH_API_CALLS:-200}"
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

start_node() {  # start_node NAME PORT [flags]: sets nothing; waits for /healthz
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
# api_ms PORT OPERATION: mean server-side handling time in ms from sfu_api_request_duration_seconds
api_ms() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -v op="$2" '
    $1 ~ "^sfu_api_request_duration_seconds_sum\\{.*operation=\"" op "\"" {s += $2}
    $1 ~ "^sfu_api_request_duration_seconds_count\\{.*operation=\"" op "\"" {n += $2}
    END {if (n) printf "%.3f", s / n * 1000; else printf "-"}'
}
# api_run PORT N: N CreateMeeting then one CreateAttendee in each (curl, sequential); prints the
# client's wall time per call of each in us, and leaves the meeting ids in $TMP/ids
api_run() {
  local port="$1" n="$2" t0 t1 t2 id
  : >"$TMP/ids"
  t0=$(date +%s%N)
  for i in $(seq "$n"); do
    curl -s -X POST "http://127.0.0.1:$port/meetings" -d '{}' | grep -o '"MeetingId":"[^"]*"' | cut -d'"' -f4 >>"$TMP/ids"
  done
  t1=$(date +%s%N)
  [ -n "${REDIS_PORT:-}" ] && MID_CALLS=$(redis_calls)
  while read -r id; do
    curl -s -o /dev/null -X POST "http://127.0.0.1:$port/meetings/$id/attendees" -d '{"ExternalUserId":"bench-user-1"}'
  done <"$TMP/ids"
  t2=$(date +%s%N)
  echo "CreateMeeting $(( (t1 - t0) / n / 1000 )) us, CreateAttendee $(( (t2 - t1) / n / 1000 )) us"
}
redis_calls() { redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[=,:]' '/^cmdstat_/ {s += $3} END {print s + 0}'; }
loadtest() {  # loadtest PORT NAME [more sfu-loadtest flags]
  local port="$1" name="$2"; shift 2
  "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$port" "$@" --quiet --meetings "$MEETINGS" \
    --attendees "$ATTENDEES" --talkers 2 --duration "$SECONDS_RUN" --join-rate 25 \
    --json "$TMP/$name.json" >"$TMP/$name.txt" 2>&1 || true
  python3 - "$TMP/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
j = r.get("joins", {})
t = j.get("time_ms", {})
def f(x):
    return "?" if x is None else f"{x:.0f}"
print(f"joins {j.get('succeeded')}/{j.get('attempted')}, join time (ws -> first audio) p50 {f(t.get('p50'))} ms, "
      f"p99 {f(t.get('p99'))} ms; verdict: {r.get('verdict')}")
PY
}

say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
say "commit:  $(git -C "$ROOT" rev-parse --short HEAD); redis-server $(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2)"
say "load:    $MEETINGS meetings x $ATTENDEES attendees (2 talkers each), ${SECONDS_RUN} s, joins at 25/s; $API_CALLS API pairs for latency"

say; say "== 1. single node, SQLite =="
P1=$(free_port); start_node single "$P1"
say "API, client wall time per call (curl, sequential): $(api_run "$P1" "$API_CALLS")"
say "API, server handling time: CreateMeeting $(api_ms "$P1" CreateMeeting) ms, CreateAttendee $(api_ms "$P1" CreateAttendee) ms"
say "sfu-loadtest: $(loadtest "$P1" single)"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true; unset 'PIDS[-1]'

say; say "== 2. cluster: Redis + 3 nodes, API through node A =="
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$TMP" --save '' --appendonly yes \
  --appendfsync everysec --daemonize no --logfile "$TMP/redis.log" &
PIDS+=($!)
for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
PA=$(free_port); PB=$(free_port); PC=$(free_port)
for n in a b c; do
  port_var="P${n^^}"
  start_node "$n" "${!port_var}" --redis "redis://127.0.0.1:$REDIS_PORT" --node-id "node-$n"
done
sleep 2
c0=$(redis_calls); sleep 10; c1=$(redis_calls)
say "Redis commands with no traffic: $(( (c1 - c0) / 10 )) per second for 3 nodes ($(( (c1 - c0) / 30 )) per node-second: inbox polls, heartbeat)"
bg=$(( (c1 - c0) / 10 ))
c0=$(redis_calls); t0=$(date +%s%N)
api_run "$PA" "$API_CALLS" >"$TMP/api.txt"
c1=$(redis_calls); t1=$(date +%s%N)
say "API, client wall time per call (curl, sequential): $(cat "$TMP/api.txt")"
say "API, server handling time: CreateMeeting $(api_ms "$PA" CreateMeeting) ms, CreateAttendee $(api_ms "$PA" CreateAttendee) ms"
# MID_CALLS: the count between the two phases (api_run); background subtracted by elapsed time.
half_s=$(( (t1 - t0) / 2000000000 ))
per_meeting=$(( (MID_CALLS - c0 - bg * half_s) / API_CALLS ))
per_attendee=$(( (c1 - MID_CALLS - bg * half_s) / API_CALLS ))
say "Redis commands per CreateMeeting: ~$per_meeting, per CreateAttendee: ~$per_attendee (the hosting node's inbox work included; idle background subtracted)"
c0=$(redis_calls); t0=$(date +%s%N)
say "sfu-loadtest (meetings created through A, B, C in turn): $(loadtest "$PA" cluster --cluster-endpoint "http://127.0.0.1:$PB" --cluster-endpoint "http://127.0.0.1:$PC")"
c1=$(redis_calls); t1=$(date +%s%N)
joins=$(( MEETINGS * ATTENDEES ))
el=$(( (t1 - t0) / 1000000000 ))
per_join=$(( (c1 - c0 - bg * el - MEETINGS * per_meeting - joins * per_attendee) / joins ))
say "Redis commands during the load test: $(( c1 - c0 )) in $el s for $MEETINGS meetings and $joins attendees created and joined: ~$per_join per join (WebSocket upgrade, session, leave) after the API and the background"
for n in a b c; do
  port_var="P${n^^}"
  say "  node $n: $(curl -s "http://127.0.0.1:${!port_var}/metrics" | awk '/^sfu_meetings /{m=$2} /^sfu_connected_attendees /{c=$2} END {printf "%d meetings, %d attendees connected at the end", m, c}')"
done
say; say "Redis INFO commandstats (whole run):"
redis-cli -p "$REDIS_PORT" info commandstats | grep '^cmdstat_' | sed 's/^cmdstat_/  /' | sort -t= -k2 -n -r | head -25

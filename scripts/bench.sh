#!/usr/bin/env bash
# Benchmarks (separate from tests: no thresholds). Builds, then runs each and prints the machine
# they ran on. Results with their command go to docs/PERFORMANCE.md by hand.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh srtp       only the SRTP side-by-side (OpenSSL vs Debian's NSS libsrtp2)
#   scripts/bench.sh signaling  join time with 100 attendees at once, frames per core
#   scripts/bench.sh mixer      audio mixer CPU per tick vs per-listener encoding; mouth-to-ear delay
#   scripts/bench.sh video      SFU: CPU per forwarded video packet, 1/4/10 subscribers
#   scripts/bench.sh paths      the same per subscriber path: UDP, ICE-TCP, TURN over TLS and TCP,
#                               side by side, ratio to UDP (SFU_BENCH_RATE, SFU_BENCH_ROUNDS)
# Whole-server runs (sfu-server + sfu-loadtest on 127.0.0.1; not part of "all", ~2-4 min each):
#   scripts/bench.sh storm      one 250-attendee meeting joined at 25/s, then all within 1 s
#   scripts/bench.sh overload   existing meetings while newcomers push past capacity, detection
#                               on (default) and off, side by side
#   scripts/bench.sh memory     server RSS per audio attendee and per forwarded video stream
#   scripts/bench.sh peers      side by side with Janus 1.1.2 (AudioBridge, VideoRoom), one server
#                               at a time: audio 1x100 and 20x25 (3 talkers), video 1x10 (every
#                               camera, simulcast), then a stepped audio ramp to the largest load
#                               each holds (~25 min; SFU_BENCH_PEER_SECONDS per run, default 30;
#                               SFU_BENCH_RAMP="50 100 ..." attendees per step, 25 per meeting;
#                               SFU_BENCH_PEERS_PART=pairs|ramp runs only that part)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh" >/dev/null
"$ROOT/scripts/build.sh" >/dev/null
B="$ROOT/build/bench"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r)"
echo "commit:  $(git -C "$ROOT" rev-parse --short HEAD)"
what="${1:-all}"
if [ "$what" = all ] || [ "$what" = srtp ]; then
  echo; echo "== SRTP per packet, libsrtp2 with OpenSSL crypto (our build) =="; "$B/srtp_bench_openssl"
  if [ -x "$B/srtp_bench_nss" ]; then
    echo; echo "== SRTP per packet, Debian's libsrtp2 (NSS crypto) =="; "$B/srtp_bench_nss"
  fi
fi
if [ "$what" = all ] || [ "$what" = dtls ]; then
  echo; echo "== DTLS 1.2 handshakes =="; "$B/dtls_bench"
fi
if [ "$what" = all ] || [ "$what" = path ]; then
  echo; echo "== Full media path on one shard (echo: recv, unprotect, protect, send) =="
  "$B/echo_path_bench" "${SFU_BENCH_SECONDS:-4}" 2>/dev/null
fi
if [ "$what" = all ] || [ "$what" = signaling ]; then
  echo; echo "== Signaling: 100 attendees joining at once; frames per core =="
  "$B/signaling_bench" "${SFU_BENCH_ATTENDEES:-100}"
fi
if [ "$what" = all ] || [ "$what" = mixer ]; then
  echo; echo "== Audio mixer: CPU per 20 ms tick, shared encode vs per-listener encode =="
  "$B/mixer_bench" "${SFU_BENCH_TICKS:-200}"
  echo; echo "== Audio mixer: mouth-to-ear delay through the server on loopback =="
  "$B/mixer_delay_bench" "${SFU_BENCH_BURSTS:-30}" 3
fi
if [ "$what" = all ] || [ "$what" = video ]; then
  echo; echo "== Video SFU: shard CPU per forwarded packet =="
  "$B/video_forward_bench" "${SFU_BENCH_SECONDS:-4}"
fi
if [ "$what" = all ] || [ "$what" = paths ]; then
  echo; echo "== Media over TCP and TLS: shard CPU per forwarded packet by subscriber path =="
  for rate in ${SFU_BENCH_RATE:-2000 6000}; do
    echo "\$ build/bench/transport_path_bench ${SFU_BENCH_SECONDS:-4} $rate 10 ${SFU_BENCH_ROUNDS:-3}"
    "$B/transport_path_bench" "${SFU_BENCH_SECONDS:-4}" "$rate" 10 "${SFU_BENCH_ROUNDS:-3}"
    echo
  done
fi
if [ "$what" = all ] || [ "$what" = wire ]; then
  if [ -x "$B/wire_bench" ]; then echo; echo "== Wire parsing =="; "$B/wire_bench"; fi
fi

# --- whole-server runs -----------------------------------------------------------------------
SERVER_PID=""; SERVER_PORT=""; SERVER_TMP=""
start_server() {  # start_server [extra sfu-server flags]: on a free loopback port, temp data dir
  SERVER_TMP="$(mktemp -d)"
  local attempt
  for attempt in 1 2 3 4 5; do  # a random port may be taken by someone else: try another
    SERVER_PORT=$((20000 + RANDOM % 20000))
    "$ROOT/build/sfu-server" --listen "127.0.0.1:$SERVER_PORT" --media-port 0 \
      --data-dir "$SERVER_TMP/data" --api-rate 0 --http-max-per-address 0 --log-level warn "$@" \
      >"$SERVER_TMP/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
      curl -sf "http://127.0.0.1:$SERVER_PORT/healthz" >/dev/null && return 0
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "Address already in use" "$SERVER_TMP/server.log" || break
    wait "$SERVER_PID" 2>/dev/null || true
  done
  echo "sfu-server did not start:"; cat "$SERVER_TMP/server.log"; exit 1
}
stop_server() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$SERVER_TMP" ] && rm -rf "$SERVER_TMP"; SERVER_PID=""; SERVER_TMP=""
}
trap stop_server EXIT
loadtest() { "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$SERVER_PORT" --quiet "$@"; }
server_metric() {  # server_metric REGEX: sum of the matching /metrics samples
  curl -s "http://127.0.0.1:$SERVER_PORT/metrics" | grep -E "^($1)" | awk '{s += $NF} END {printf "%.0f", s}'
}
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
report_lines='join time|audio loss|mouth-to-ear|talkers heard|joins|failed|result'

if [ "$what" = storm ]; then
  echo; echo "== Join storm: one meeting of 250 (3 talkers), joined at 25/s, then at 1000/s (all in ~0.3 s) =="
  for rate in 25 1000; do
    start_server --overload-late-ticks 0
    echo "-- join rate $rate/s"
    loadtest --meetings 1 --attendees 250 --talkers 3 --join-rate "$rate" --duration 30 | grep -E "$report_lines" || true
    echo "  server: late ticks $(server_metric 'sfu_shard_late_ticks_total'), of them starved" \
      "(CPU held by other processes) $(server_metric 'sfu_shard_late_ticks_starved_total')," \
      "DTLS datagrams paced to later ticks $(server_metric 'sfu_shard_dtls_datagrams_deferred_total')"
    stop_server
  done
fi

if [ "$what" = overload ]; then
  echo; echo "== Overload: 8 meetings x 25 run 75 s; from 15 s, 24 more meetings x 25 try to join =="
  for detect in ${SFU_BENCH_DETECT:-25 0}; do
    start_server --overload-late-ticks "$detect" ${SFU_BENCH_SHARD_MAX:+--shard-max-attendees "$SFU_BENCH_SHARD_MAX"}
    echo "-- --overload-late-ticks $detect $([ "$detect" = 0 ] && echo "(detection off)")${SFU_BENCH_SHARD_MAX:+ --shard-max-attendees $SFU_BENCH_SHARD_MAX}"
    loadtest --meetings 8 --attendees 25 --talkers 3 --join-rate 50 --duration 75 >"$SERVER_TMP/existing.txt" 2>&1 &
    existing=$!
    sleep 15
    loadtest --meetings 24 --attendees 25 --talkers 3 --join-rate 50 --duration 55 >"$SERVER_TMP/newcomers.txt" 2>&1 &
    newcomers=$!
    sleep 25
    # A meeting created while every shard is overloaded is refused (503).
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d "{\"ClientRequestToken\":\"bench-$RANDOM$RANDOM\",\"ExternalMeetingId\":\"late\",\"MediaRegion\":\"us-east-1\"}" \
      "http://127.0.0.1:$SERVER_PORT/meetings")
    echo "  CreateMeeting at 40 s: HTTP $code; shards overloaded now: $(server_metric 'sfu_shard_overloaded')"
    wait "$existing" || true; wait "$newcomers" || true
    echo "  existing meetings (8 x 25):"; grep -E "$report_lines|per 5 s" "$SERVER_TMP/existing.txt" | sed 's/^/  /'
    echo "  newcomers (24 x 25):"; grep -E "joins|failed|refused|4503|result" "$SERVER_TMP/newcomers.txt" | sed 's/^/  /'
    echo "  server: late ticks $(server_metric sfu_shard_late_ticks_total) (starved $(server_metric sfu_shard_late_ticks_starved_total)), joins refused (overload)" \
      "$(server_metric 'sfu_signaling_refusals_total\{reason="server_overloaded"\}')"
    stop_server
  done
fi

if [ "$what" = memory ]; then
  echo; echo "== Memory: server RSS with N audio attendees, and with forwarded video streams =="
  for n in 0 100 300; do
    start_server --overload-late-ticks 0
    if [ "$n" -gt 0 ]; then
      loadtest --meetings $((n / 25)) --attendees 25 --talkers 3 --join-rate 100 --duration 25 >/dev/null 2>&1 &
      lt=$!; sleep 20; echo "audio attendees $n: RSS $(rss_mib) MiB"; wait "$lt" || true
    else
      sleep 2; echo "audio attendees 0: RSS $(rss_mib) MiB (idle)"
    fi
    stop_server
  done
  for cams in 0 6; do
    start_server --overload-late-ticks 0
    loadtest --meetings 2 --attendees 10 --talkers 2 --video-senders "$cams" --join-rate 50 --duration 25 >/dev/null 2>&1 &
    lt=$!; sleep 20
    echo "2 meetings x 10, $cams cameras each ($((2 * cams * 9)) forwarded streams): RSS $(rss_mib) MiB"
    wait "$lt" || true; stop_server
  done
fi

# --- side by side with Janus --------------------------------------------------------------------
if [ "$what" = peers ]; then
  command -v janus >/dev/null || { echo "janus is not installed (scripts/setup.sh installs it)"; exit 1; }
  PEER="$ROOT/scripts/janus-peer.sh"
  OUT="$(mktemp -d)"; JP="$OUT/janus"
  stop_janus() { "$PEER" stop "$JP" >/dev/null 2>&1 || true; }
  trap 'stop_server; stop_janus' EXIT
  secs="${SFU_BENCH_PEER_SECONDS:-30}"
  # The two servers are compared on a box others may be using: before each run, wait (up to
  # SFU_BENCH_QUIET_WAIT seconds, default 600) until the machine is below 30 % busy over 3 s
  # with nothing of ours running, and say so when it never was.
  machine_busy() {
    local a b
    a=($(head -1 /proc/stat)); sleep 3; b=($(head -1 /proc/stat))
    python3 -c "
a=[int(x) for x in '${a[*]:1:8}'.split()]; b=[int(x) for x in '${b[*]:1:8}'.split()]
d=[y-x for x,y in zip(a,b)]; t=sum(d) or 1; print(round(100*(t-d[3]-d[4])/t))"
  }
  wait_quiet() {
    local waited=0 busy
    while busy=$(machine_busy); [ "$busy" -ge 30 ]; do
      if [ "$waited" -ge "${SFU_BENCH_QUIET_WAIT:-600}" ]; then
        echo "   (the machine was still $busy % busy after ${waited} s of waiting: this run shares it)"; return
      fi
      sleep 7; waited=$((waited + 10))
    done
    [ "$waited" -gt 0 ] && echo "   (waited ${waited} s for the machine to be quiet: $busy % busy)"
    return 0
  }
  echo "janus: $(janus --version 2>/dev/null | head -1); configuration: scripts/janus-peer.sh (kept in $OUT/janus/conf)"
  # run_pair NAME JANUS_TARGET ARGS...: the same scenario against sfu-server, then against Janus,
  # each server started fresh for it and stopped after (one server at a time).
  run_pair() {
    local name="$1" target="$2"; shift 2
    wait_quiet
    start_server --overload-late-ticks 0
    "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$SERVER_PORT" --server-pid "$SERVER_PID" \
      --quiet --json "$OUT/ours-$name.json" "$@" >"$OUT/ours-$name.txt" 2>&1 || true
    stop_server
    wait_quiet
    "$PEER" start "$JP" >/dev/null
    # shellcheck disable=SC1091
    . "$JP/env"
    "$PEER" exec "$JP" "$ROOT/build/sfu-loadtest" --target "$target" --endpoint "$JANUS_URL" \
      --server-pid "$JANUS_PID" --quiet --json "$OUT/janus-$name.json" "$@" >"$OUT/janus-$name.txt" 2>&1 || true
    stop_janus
  }
  table() {  # table NAME TITLE: both reports side by side, ratio ours / Janus
    python3 - "$OUT" "$1" "$2" <<'PY'
import json, sys
out, name, title = sys.argv[1:4]
def load(who):
    try: return json.load(open(f"{out}/{who}-{name}.json"))
    except Exception as e: return None
o, j = load("ours"), load("janus")
print(f"\n-- {title}")
if not o or not j:
    print(f"   missing report: see {out}/*-{name}.txt"); sys.exit()
def cpu_pct(r): return 100 * r["server"]["cpu_s"] / max(r["ran_s"], 1e-9)
def frames(r):
    v = r["video"]; return 100 * v["frames_received"] / v["frames_expected"] if v["frames_expected"] else None
def heard(r): return r["audio"]["talker_presence_pct"] if r["audio"]["talker_presence_pct"] >= 0 else None
rows = [
  ("server CPU, % of a core", cpu_pct, True),
  ("server CPU per attendee-s with media, us", lambda r: r["server"]["cpu_us_per_media_attendee_second"], True),
  ("server CPU per RTP packet received, us", lambda r: r["server"]["cpu_us_per_rtp_received"], True),
  ("server CPU per video packet received, us", lambda r: r["server"]["cpu_us_per_video_rtp_received"] or None, True),
  ("server RSS peak, MiB", lambda r: r["server"]["rss_peak_mib"], True),
  ("join p50 / p99, ms", lambda r: (r["joins"]["time_ms"]["p50"], r["joins"]["time_ms"]["p99"]), False),
  ("mouth-to-ear p50 / p95, ms", lambda r: (r["audio"]["mouth_to_ear_ms"]["p50"], r["audio"]["mouth_to_ear_ms"]["p95"]) if r["audio"]["mouth_to_ear_ms"]["n"] else None, False),
  ("downlink audio loss, %", lambda r: r["audio"]["loss_without_impairment_pct"] if r["audio"]["packets_expected"] else None, False),
  ("talkers heard, %", heard, False),
  ("video frames decoded / expected, %", frames, False),
  ("joins ok / attempted", lambda r: f'{r["joins"]["succeeded"]}/{r["joins"]["attempted"]}', False),
  ("verdict", lambda r: r["verdict"], False),
]
def fmt(v):
    if v is None: return "-"
    if isinstance(v, tuple): return " / ".join(fmt(x) for x in v)
    if isinstance(v, float): return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
    return str(v)
print(f"   {'':42} {'sfu-server':>22} {'Janus':>22} {'ours/Janus':>10}")
for label, f, ratio in rows:
    a, b = f(o), f(j)
    rt = f"{a / b:.3f}" if ratio and a and b else ""
    print(f"   {label:42} {fmt(a):>22} {fmt(b):>22} {rt:>10}")
for who, r in (("sfu-server", o), ("Janus", j)):
    for w in r.get("warnings", []): print(f"   warning ({who}): {w}")
PY
  }
  part="${SFU_BENCH_PEERS_PART:-all}"  # all, pairs (no ramp) or ramp
  if [ "$part" != ramp ]; then
  echo; echo "== Side by side with Janus: the same load, one server at a time, ${secs} s each =="
  run_pair audio-1x100 janus-audiobridge --meetings 1 --attendees 100 --talkers 3 --join-rate 20 --duration "$secs"
  table audio-1x100 "audio: 1 meeting x 100 attendees, 3 talkers (Janus AudioBridge)"
  run_pair audio-20x25 janus-audiobridge --meetings 20 --attendees 25 --talkers 3 --join-rate 50 --duration "$secs"
  table audio-20x25 "audio: 20 meetings x 25 attendees, 3 talkers (Janus AudioBridge)"
  run_pair video-1x10 janus-videoroom --meetings 1 --attendees 10 --talkers 0 --video-senders 10 --simulcast --join-rate 10 --duration "$secs"
  table video-1x10 "video: 1 meeting x 10 attendees, every camera on, simulcast (Janus VideoRoom)"
  fi
  [ "$part" = pairs ] && { echo; echo "reports: $OUT"; exit 0; }
  # ramp_step WHO N: one step of the ramp; sets step to holds, misses or disturbed (missed while
  # processes other than this server and its load tester held over half a core).
  ramp_step() {
    local who="$1" n="$2"
    local args=(--meetings $((n / 25)) --attendees 25 --talkers 3 --join-rate 50 --duration "${SFU_BENCH_RAMP_SECONDS:-20}")
    wait_quiet
    if [ "$who" = ours ]; then
      start_server --overload-late-ticks 0
      "$ROOT/build/sfu-loadtest" --endpoint "http://127.0.0.1:$SERVER_PORT" --server-pid "$SERVER_PID" \
        --quiet --json "$OUT/ramp-$who-$n.json" "${args[@]}" >"$OUT/ramp-$who-$n.txt" 2>&1 || true
      stop_server
    else
      "$PEER" start "$JP" >/dev/null
      # shellcheck disable=SC1091
      . "$JP/env"
      "$PEER" exec "$JP" "$ROOT/build/sfu-loadtest" --target janus-audiobridge --endpoint "$JANUS_URL" \
        --server-pid "$JANUS_PID" --quiet --json "$OUT/ramp-$who-$n.json" "${args[@]}" >"$OUT/ramp-$who-$n.txt" 2>&1 || true
      stop_janus
    fi
    step=$(python3 - "$OUT/ramp-$who-$n.json" "$who" "$n" <<'PY'
import json, os, sys
try: r = json.load(open(sys.argv[1]))
except Exception:
    print(f"   {sys.argv[2]:5} {sys.argv[3]:>4} attendees: no report", file=sys.stderr); print("misses"); sys.exit()
a = r["audio"]; s = r["server"]; c = r["client"]
server_pct = 100 * s["cpu_s"] / max(r["ran_s"], 1e-9)
others_pct = c["machine_busy_pct"] * c["machine_cores"] - server_pct - c["cpu_pct"]
failed = [o["name"] for o in r["slo"] if o["result"] == "fail"]
verdict = "holds" if r["passed"] else ("disturbed" if others_pct > 50 else "misses")
print(f"   {'sfu-server' if sys.argv[2] == 'ours' else 'Janus':10} {sys.argv[3]:>4} attendees: "
      f"server CPU {server_pct:4.0f} % of a core (others {max(others_pct, 0):3.0f} %), "
      f"join p99 {r['joins']['time_ms']['p99']:6.0f} ms, mouth-to-ear p95 {a['mouth_to_ear_ms']['p95']:5.0f} ms, "
      f"loss {a['loss_without_impairment_pct']:5.2f} %, heard {a['talker_presence_pct']:5.1f} %, "
      f"client late ticks {c['late_ticks']}/{c['ticks']} -> "
      + ("holds" if r["passed"] else "misses " + ", ".join(failed)), file=sys.stderr)
print(verdict)
PY
)
  }
  echo; echo "== Stepped audio ramp: meetings of 25 (3 talkers), ${SFU_BENCH_RAMP_SECONDS:-20} s a step; a step holds when every objective is met =="
  for who in ours janus; do
    held=0
    for n in ${SFU_BENCH_RAMP:-50 100 150 200 300 400 500 600 700}; do
      for attempt in 1 2; do
        ramp_step "$who" "$n"
        # A step missed while other work held the machine's CPU is run again once.
        [ "$step" = disturbed ] && [ "$attempt" = 1 ] && { echo "   (run again: other work used the CPU)"; continue; }
        break
      done
      [ "$step" = holds ] || break
      held=$n
    done
    echo "   => $([ "$who" = ours ] && echo sfu-server || echo Janus) holds $held attendees (the largest step that met every objective)"
  done
  echo; echo "reports: $OUT"
fi

#!/usr/bin/env bash
# Runs Janus (Debian's package, installed by scripts/setup.sh) as a peer server for side-by-side
# load tests, on loopback only, with a configuration written here into a directory of the
# caller's; never the system service and never /etc/janus.
#
#   scripts/janus-peer.sh start DIR [WS_PORT]  write DIR/conf, start Janus, wait for its API
#   scripts/janus-peer.sh exec DIR CMD...      run CMD where Janus's candidates are reachable
#   scripts/janus-peer.sh stop DIR             stop that Janus, remove its namespace
#
# Why a network namespace: Janus never gathers ICE candidates on a loopback interface (it skips
# every interface flagged LOOPBACK), so on the host it would offer only the machine's network
# addresses. Here it runs in a namespace of its own whose only interfaces are `lo` and one end
# of a veth pair carrying 127.0.0.1/32 (the other end stays in the namespace too): the one
# candidate Janus gathers is 127.0.0.1, and the host's network is never touched. Its WebSocket
# API listens on 127.0.0.1:WS_PORT (default 8188) inside the namespace; run sfu-loadtest (and,
# for a like-for-like comparison, sfu-server) there with `exec`.
# DIR/env after start: NETNS, JANUS_PID, JANUS_URL. Needs root (ip netns), iproute2.
#
# Settings matched to sfu-server's mixer where Janus allows (applied per room and per join by
# sfu-loadtest --target janus-*): 48 kHz mono Opus, 32 kb/s, complexity 5, FEC with 5 % expected
# loss. The rest is Janus's default (docs/PERFORMANCE.md, "Side by side with Janus", lists what
# differs and why).
set -euo pipefail
cmd="${1:-}"
dir="${2:-}"
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|exec|stop DIR [...]" >&2; exit 2; }

lib=/usr/lib/x86_64-linux-gnu/janus
[ -d "$lib" ] || lib="$(dirname "$(dirname "$(dpkg -L janus 2>/dev/null | grep -m1 '/janus/plugins/')")")"

write_config() {  # write_config CONF_DIR WS_PORT
  local conf="$1" port="$2"
  mkdir -p "$conf"
  cat >"$conf/janus.jcfg" <<EOF
general: {
	configs_folder = "$conf"
	plugins_folder = "$lib/plugins"
	transports_folder = "$lib/transports"
	events_folder = "$lib/events"
	loggers_folder = "$lib/loggers"
	debug_level = 3
	session_timeout = 60
	server_name = "sfu-loadtest-peer"
}
certificates: {
}
media: {
	ipv6 = false
}
nat: {
	nice_debug = false
	full_trickle = false
	ice_lite = false
	ice_tcp = false
	ignore_mdns = true
	ice_enforce_list = "jv0"
}
plugins: {
	disable = "libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
	disable = "libjanus_http.so,libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so"
}
loggers: {
	disable = "libjanus_jsonlog.so"
}
events: {
	broadcast = false
}
EOF
  cat >"$conf/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "compact"
	ws = true
	ws_port = $port
	ws_ip = "127.0.0.1"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF
  # Rooms are made by sfu-loadtest through the API (one per meeting), not here.
  printf 'general: {\n}\n' >"$conf/janus.plugin.audiobridge.jcfg"
  printf 'general: {\n}\n' >"$conf/janus.plugin.videoroom.jcfg"
}

case "$cmd" in
  start)
    port="${3:-8188}"
    command -v janus >/dev/null || { echo "janus is not installed (scripts/setup.sh installs it)" >&2; exit 3; }
    mkdir -p "$dir"
    ns="sfu-janus-$$-$RANDOM"
    write_config "$dir/conf" "$port"
    ip netns add "$ns"
    echo "NETNS=$ns" >"$dir/env"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add jv0 type veth peer name jv1
    ip -n "$ns" addr add 127.0.0.1/32 dev jv0
    ip -n "$ns" link set jv0 up
    ip -n "$ns" link set jv1 up
    ip netns exec "$ns" janus -C "$dir/conf/janus.jcfg" -F "$dir/conf" -N -L "$dir/janus.log" -o \
      >/dev/null 2>&1 &
    pid=$!
    echo "JANUS_PID=$pid" >>"$dir/env"
    echo "JANUS_URL=ws://127.0.0.1:$port" >>"$dir/env"
    for _ in $(seq 100); do
      if ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
        cat "$dir/env"; exit 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    echo "janus did not start; its log:" >&2
    tail -30 "$dir/janus.log" >&2 || true
    kill "$pid" 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
    exit 1
    ;;
  exec)
    # shellcheck disable=SC1091
    . "$dir/env"
    shift 2
    exec ip netns exec "$NETNS" "$@"
    ;;
  stop)
    [ -f "$dir/env" ] || exit 0
    # shellcheck disable=SC1091
    . "$dir/env"
    if [ -n "${JANUS_PID:-}" ] && kill -0 "$JANUS_PID" 2>/dev/null; then
      kill "$JANUS_PID"
      for _ in $(seq 50); do kill -0 "$JANUS_PID" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$JANUS_PID" 2>/dev/null || true
    fi
    ip netns del "$NETNS" 2>/dev/null || true
    rm -f "$dir/env"
    ;;
  *)
    echo "usage: $0 start|exec|stop DIR [...]" >&2; exit 2 ;;
esac

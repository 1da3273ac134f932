#!/usr/bin/env bash
# One command: install what is missing, build, and run sfu-server on its embedded defaults
# (HTTP/WebSocket on 0.0.0.0:8080, UDP media from 3478, state in ./sfu-data).
# Extra arguments go to sfu-server, e.g. scripts/run-server.sh --announce-ip 192.0.2.10
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"
cd "$ROOT"
exec "$ROOT/build/sfu-server" "$@"

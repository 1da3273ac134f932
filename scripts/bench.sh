#!/usr/bin/env bash
# Benchmarks (separate from tests: no thresholds). Builds, then runs each and prints the machine
# they ran on. Results with their command go to docs/PERFORMANCE.md by hand.
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh srtp       only the SRTP side-by-side (OpenSSL vs Debian's NSS libsrtp2)
#   scripts/bench.sh signaling  join time with 100 attendees at once, frames per core
#   scripts/bench.sh mixer      audio mixer CPU per tick vs per-listener encoding; mouth-to-ear delay
#   scripts/bench.sh video      SFU: CPU per forwarded video packet, 1/4/10 subscribers
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
if [ "$what" = all ] || [ "$what" = wire ]; then
  if [ -x "$B/wire_bench" ]; then echo; echo "== Wire parsing =="; "$B/wire_bench"; fi
fi

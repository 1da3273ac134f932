#pragma once
// Per-shard counters. Single writer (the shard's thread) with relaxed atomics; read by the
// control thread at scrape time and summed/labelled there. No locks on the media path.

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace sfu::metrics {

enum class DropReason : uint8_t {
  kNoTransport = 0,  // datagram from an address no transport owns
  kMalformed,        // failed to parse (unknown first byte, bad STUN, bad RTP/RTCP)
  kTooLarge,         // larger than a packet slot
  kUnknownUfrag,     // STUN check for a ufrag no transport has
  kBadCredentials,   // STUN check with wrong username or MESSAGE-INTEGRITY (answered 401)
  kNotConnected,     // SRTP/SRTCP before DTLS finished
  kSrtpError,        // unprotect failed (see srtp_errors by reason)
  kSendFailed,       // sendmmsg refused (EAGAIN: dropped, counted)
  kCount
};
std::string_view DropReasonName(DropReason r);

// A histogram with fixed upper bounds (the last bucket is +Inf), single writer, relaxed atomics.
template <size_t N>
struct FixedHistogram {
  explicit constexpr FixedHistogram(std::array<double, N> upper) : bounds(upper) {}
  void Observe(double v) {
    size_t i = 0;
    while (i < N && v > bounds[i]) ++i;
    counts[i].store(counts[i].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    sum.store(sum.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
  std::array<double, N> bounds;
  std::array<std::atomic<uint64_t>, N + 1> counts{};  // per bucket (not cumulative)
  std::atomic<double> sum{0};
};

struct ShardStats {
  void Add(std::atomic<uint64_t>& c, uint64_t n = 1) { c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void Drop(DropReason r) { Add(drops[static_cast<size_t>(r)]); }

  std::atomic<uint64_t> packets_in{0};
  std::atomic<uint64_t> bytes_in{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> tasks_run{0};  // cross-thread tasks executed on the shard
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DropReason::kCount)> drops{};
  // Transport events.
  std::atomic<uint64_t> ice_checks{0};
  std::atomic<uint64_t> ice_consent_expiries{0};
  std::atomic<uint64_t> dtls_handshakes_ok{0};
  std::atomic<uint64_t> dtls_handshakes_failed{0};
  std::array<std::atomic<uint64_t>, 6> srtp_errors{};  // indexed like transport::SrtpResult
  std::atomic<uint64_t> rtp_packets_in{0};
  std::atomic<uint64_t> rtcp_packets_in{0};
  std::atomic<uint64_t> sctp_messages_in{0};
  std::atomic<uint64_t> sctp_messages_out{0};
  std::atomic<uint64_t> send_batches{0};  // sendmmsg calls
  std::atomic<uint64_t> recv_batches{0};  // recvmmsg calls that returned data
  // The shard's 20 ms timer and the audio mixer on it.
  std::atomic<uint64_t> ticks{0};
  std::atomic<uint64_t> late_ticks{0};     // started more than 5 ms after their deadline
  std::atomic<uint64_t> mix_ticks{0};      // meeting mixes run (one per meeting per tick)
  std::atomic<uint64_t> mix_decodes{0};
  std::atomic<uint64_t> mix_encodes{0};
  std::atomic<uint64_t> mix_concealed{0};
  std::atomic<uint64_t> mix_fec_recovered{0};
  std::atomic<uint64_t> mix_red_recovered{0};
  std::atomic<uint64_t> mix_bad_packets{0};  // uplink audio the mixer could not use
  FixedHistogram<9> mix_tick_cpu_us{{50, 100, 200, 500, 1000, 2000, 3000, 5000, 10000}};
  FixedHistogram<9> jitter_delay_ms{{10, 20, 30, 40, 60, 80, 100, 150, 250}};
  std::atomic<int64_t> mixing_participants{0};
  // Video forwarding (SFU).
  std::atomic<uint64_t> video_packets_forwarded{0};
  std::atomic<uint64_t> video_keyframe_requests{0};   // PLIs sent to publishers
  std::atomic<uint64_t> video_waiting_keyframe{0};    // packets not forwarded: section waits for a key frame
  std::atomic<uint64_t> video_unknown{0};             // video from an unknown SSRC or not VP8
  std::atomic<uint64_t> video_retransmissions{0};     // packets resent for a subscriber's NACK
  std::atomic<uint64_t> video_nacks_sent{0};          // NACKed packets asked of publishers
  std::atomic<uint64_t> video_rtx_received{0};        // publishers' RTX retransmissions unwrapped
  std::atomic<uint64_t> video_layer_switches_up{0};   // a section moved to a higher simulcast layer
  std::atomic<uint64_t> video_layer_switches_down{0};
  std::atomic<uint64_t> video_probes{0};              // bandwidth probes toward subscribers
  std::atomic<uint64_t> video_padding_bytes{0};       // RTX padding sent for probes
  std::atomic<int64_t> rooms{0};
  std::atomic<int64_t> transports{0};
  std::atomic<bool> running{false};
};

}  // namespace sfu::metrics

#pragma once
// The reference client's video receiving, like a browser's (libwebrtc's packet buffer, frame
// buffer and NACK module, in small): per remote stream (section SSRC) it reassembles frames from
// sequence numbers and the VP8 descriptor, decodes in PictureID order from a key frame on
// (without decoding pixels: a frame is "decoded" when it is complete and its reference chain
// is), NACKs gaps at once and again every 100 ms (3 times), unwraps RTX retransmissions
// (RFC 4588) and ignores padding, asks for a key frame (PLI) when the chain is broken for 200 ms
// and again every 500 ms while it waits, and produces RTCP report blocks (loss, jitter) and a
// REMB from a small delay-based receive-side estimate: queueing delay (transit above the
// stream's minimum) averaging over 60 ms and growing, two reports in a row, is overuse (REMB =
// 85% of what arrived);
// under 30 ms the estimate grows 8% a report, an increase never above 1.5 x what arrived + 10 kb/s
// (libwebrtc's AIMD cap, which stops increases but never lowers the estimate).
// Measures what a viewer feels: decoded frames, freezes (no frame for 300 ms), key-frame waits
// and their length, time from a new subscription to its first frame, and the picture width
// (the simulcast layer) over time.
// Pure: time comes in as arguments. Thread: one owner.
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "transport/wire/rtcp/receiver_report.h"

namespace sfu::wire {
class RtpPacketView;
}

namespace sfu::loadtest {

// A remote stream's decoded key frames changed width (its simulcast layer changed).
struct WidthChange {
  int64_t at_us = 0;  // steady clock
  uint32_t ssrc = 0;  // the section's SSRC
  int width = 0;
};

struct VideoReceiveStats {
  uint64_t packets = 0;    // media packets (first copies)
  uint64_t recovered = 0;  // packets that arrived only through a retransmission
  uint64_t duplicates = 0;
  uint64_t padding_bytes = 0;  // RTX padding (the server's bandwidth probes)
  uint64_t frames_decoded = 0;
  uint64_t frames_expected = 0;  // PictureID span of each stream (what the server forwarded)
  uint64_t freezes = 0;          // a stream went more than 300 ms without a decoded frame
  uint64_t nacks_sent = 0;       // sequence numbers NACKed
  uint64_t plis_sent = 0;
  double stream_seconds = 0;             // per stream, first decoded frame -> last, summed
  std::vector<double> keyframe_wait_ms;  // chain broken -> next key frame decoded
  std::vector<double> first_frame_ms;    // section filled -> first decoded frame
  std::vector<WidthChange> width_changes;
};

class VideoReceiver {
 public:
  // The media SSRC an RTX SSRC repairs (from the answer's a=ssrc-group:FID).
  void MapRtx(uint32_t rtx_ssrc, uint32_t media_ssrc) { rtx_[rtx_ssrc] = media_ssrc; }
  // A section now receives a stream on ssrc (SUBSCRIBE_ACK tracks): times its first frame.
  void Expect(uint32_t ssrc, int64_t now_us);
  // A video packet: VP8 on a section SSRC, or RTX (payload type rtx_pt) on a mapped RTX SSRC.
  void OnRtp(const wire::RtpPacketView& pkt, int rtx_pt, int64_t now_us);

  struct Feedback {
    std::vector<std::pair<uint32_t, std::vector<uint16_t>>> nacks;  // media SSRC, sequence numbers
    std::vector<uint32_t> plis;
  };
  // Every tick: what to send now (NACK retries, PLIs), freezes counted.
  Feedback Poll(int64_t now_us);
  // One report block per stream (loss since the last call, cumulative, highest, jitter).
  std::vector<wire::rtcp::ReportBlock> ReportBlocks();
  // The receive-side estimate over what arrived since the last call; 0 before anything arrived.
  uint64_t RembBps(int64_t now_us);
  std::vector<uint32_t> ssrcs() const;

  const VideoReceiveStats& stats() {
    stats_.frames_expected = 0;
    stats_.stream_seconds = 0;
    for (const auto& [ssrc, s] : streams_) {
      if (s.have_pid_span)
        stats_.frames_expected += static_cast<uint64_t>(s.high_pid - s.first_pid + 1);
      if (s.first_frame_us >= 0)
        stats_.stream_seconds += static_cast<double>(s.last_frame_us - s.first_frame_us) / 1e6;
    }
    return stats_;
  }

 private:
  struct Frame {
    uint32_t ts = 0;
    bool have_first = false, have_last = false, key = false;
    uint16_t first = 0, last = 0;
    int count = 0;
    uint16_t picture_id = 0;
    bool has_pid = false;
    int width = 0;
  };
  struct Stream {
    bool have_seq = false;
    int64_t highest = 0;  // unwrapped
    uint16_t last16 = 0;
    int64_t base = 0;
    uint64_t received = 0;
    uint64_t rr_expected = 0, rr_received = 0;
    double jitter = 0;  // RTP units
    double last_transit = 0;
    bool have_transit = false;
    // Queueing delay = transit above its minimum over the last 10 reports (a sliding minimum, so
    // a timestamp jump at a source switch is forgotten).
    double min_transit_ms = 0;
    bool have_min = false;
    double window_min_ms = 0;
    bool have_window_min = false;
    std::vector<double> mins;                            // per report, the last 10
    std::map<int64_t, std::pair<int64_t, int>> missing;  // unwrapped seq -> (next NACK at, tries)
    std::vector<uint8_t> seen =
        std::vector<uint8_t>(1024, 0);  // by unwrapped seq % 1024: 1 + (seq / 1024 % 255)
    std::map<uint32_t, Frame> frames;   // by RTP timestamp, incomplete or waiting
    bool need_key = true;
    bool decoded_any = false;
    uint16_t last_pid = 0;
    uint32_t last_ts = 0;  // of the last decoded frame: older packets are late copies
    bool have_pid_span = false;
    int64_t first_pid = 0, high_pid = 0;  // unwrapped 15-bit PictureIDs seen
    int64_t broken_since_us = -1;         // first time the chain could not continue
    int64_t wait_start_us = -1;           // key-frame wait (after a broken chain)
    int64_t next_pli_us = 0;
    int64_t last_frame_us = -1;
    int64_t first_frame_us = -1;
    bool frozen = false;
    int64_t expect_us = -1;
    int width = 0;
  };
  void OnMedia(Stream& s, uint32_t ssrc, const wire::RtpPacketView& pkt,
               std::span<const uint8_t> payload, uint16_t seq, bool retransmission, int64_t now_us);
  void TryDecode(Stream& s, uint32_t ssrc, int64_t now_us);

  std::map<uint32_t, uint32_t> rtx_;
  std::map<uint32_t, Stream> streams_;
  uint64_t remb_bytes_ = 0;
  int64_t remb_since_us_ = -1;
  double queue_sum_ms_ = 0;  // queueing delay samples since the last REMB
  uint64_t queue_n_ = 0;
  double last_queue_ms_ = 0;
  uint64_t estimate_bps_ = 0;
  VideoReceiveStats stats_;
};

}  // namespace sfu::loadtest

#include "loadtest/video_receiver.h"

#include <algorithm>
#include <cmath>

#include "transport/wire/rtp_packet.h"
#include "transport/wire/vp8_payload.h"

namespace sfu::loadtest {
namespace {

constexpr int64_t kNackRetryUs = 100'000;
constexpr int kNackTries = 3;
constexpr int64_t kBrokenUs = 200'000;  // a chain stuck this long needs a key frame
constexpr int64_t kPliRetryUs = 500'000;
constexpr int64_t kFreezeUs = 300'000;
constexpr size_t kMaxFrames = 64;

uint8_t SeenTag(int64_t u) { return static_cast<uint8_t>(1 + (u / 1024) % 255); }

// The width in a VP8 key frame's payload header (RFC 6386 §9.1: 3-byte tag, start code, 14-bit
// width), 0 if the payload is too short or not a key frame.
int KeyFrameWidth(std::span<const uint8_t> vp8) {
  if (vp8.size() < 10 || (vp8[0] & 0x01) != 0) return 0;
  if (vp8[3] != 0x9d || vp8[4] != 0x01 || vp8[5] != 0x2a) return 0;
  return (vp8[6] | (vp8[7] << 8)) & 0x3fff;
}

}  // namespace

void VideoReceiver::Expect(uint32_t ssrc, int64_t now_us) {
  Stream& s = streams_[ssrc];
  if (!s.decoded_any && s.expect_us < 0) s.expect_us = now_us;
}

std::vector<uint32_t> VideoReceiver::ssrcs() const {
  std::vector<uint32_t> out;
  for (const auto& [ssrc, s] : streams_)
    if (s.have_seq) out.push_back(ssrc);
  return out;
}

void VideoReceiver::OnRtp(const wire::RtpPacketView& pkt, int rtx_pt, int64_t now_us) {
  remb_bytes_ += pkt.size();
  if (remb_since_us_ < 0) remb_since_us_ = now_us;
  auto rtx = rtx_.find(pkt.ssrc());
  if (rtx != rtx_.end()) {
    if (pkt.payload_type() != rtx_pt) return;
    const std::span<const uint8_t> p = pkt.payload();
    if (p.size() <= 2) {  // padding only: a bandwidth probe
      stats_.padding_bytes += pkt.size();
      return;
    }
    const uint16_t osn = static_cast<uint16_t>((p[0] << 8) | p[1]);
    OnMedia(streams_[rtx->second], rtx->second, pkt, p.subspan(2), osn, true, now_us);
    return;
  }
  if (pkt.payload().empty()) {
    stats_.padding_bytes += pkt.size();
    return;
  }
  OnMedia(streams_[pkt.ssrc()], pkt.ssrc(), pkt, pkt.payload(), pkt.sequence_number(), false,
          now_us);
}

void VideoReceiver::OnMedia(Stream& s, uint32_t ssrc, const wire::RtpPacketView& pkt,
                            std::span<const uint8_t> payload, uint16_t seq, bool retransmission,
                            int64_t now_us) {
  int64_t u = seq;
  if (s.have_seq) u = s.highest + static_cast<int16_t>(seq - static_cast<uint16_t>(s.highest));
  const size_t slot = static_cast<size_t>(((u % 1024) + 1024) % 1024);
  if (s.have_seq && s.seen[slot] == SeenTag(u)) {
    ++stats_.duplicates;
    return;
  }
  s.seen[slot] = SeenTag(u);
  if (!s.have_seq) {
    s.have_seq = true;
    s.highest = s.base = u;
  } else if (u > s.highest) {
    for (int64_t k = std::max(s.highest + 1, u - 200); k < u; ++k)
      s.missing.emplace(k, std::make_pair(now_us, 0));
    s.highest = u;
  } else if (u < s.base) {
    s.base = u;
  }
  const bool was_missing = s.missing.erase(u) > 0;
  if (was_missing)
    ++stats_.recovered;
  else
    ++stats_.packets;
  ++s.received;
  if (!retransmission && !was_missing) {
    // RFC 3550 §6.4.1 interarrival jitter, 90 kHz.
    const double transit =
        static_cast<double>(now_us) * 0.09 - static_cast<double>(pkt.timestamp());
    if (s.have_transit) {
      double d = std::fabs(transit - s.last_transit);
      if (d > 900'000) d = 0;
      s.jitter += (d - s.jitter) / 16.0;
    }
    s.have_transit = true;
    s.last_transit = transit;
    const double transit_ms = transit / 90.0;
    if (!s.have_window_min || transit_ms < s.window_min_ms) s.window_min_ms = transit_ms;
    s.have_window_min = true;
    if (!s.have_min || transit_ms < s.min_transit_ms) s.min_transit_ms = transit_ms;
    s.have_min = true;
    queue_sum_ms_ += transit_ms - s.min_transit_ms;
    ++queue_n_;
  }
  auto vp8 = wire::ParseVp8Descriptor(payload);
  if (!vp8) return;
  if (vp8->has_picture_id) {  // the span of frames the server sent us
    if (!s.have_pid_span) {
      s.have_pid_span = true;
      s.first_pid = s.high_pid = vp8->picture_id;
    } else {
      const int d = (vp8->picture_id - static_cast<int>(s.high_pid & 0x7fff)) & 0x7fff;
      if (d < 0x4000) s.high_pid += d;
    }
  }
  // A late copy of a frame already decoded (or skipped): not a new frame.
  if (s.decoded_any && static_cast<int32_t>(pkt.timestamp() - s.last_ts) <= 0) return;
  Frame& f = s.frames[pkt.timestamp()];
  f.ts = pkt.timestamp();
  if (vp8->frame_start()) {
    f.have_first = true;
    f.first = seq;
    f.key = vp8->key_frame;
    if (f.key) f.width = KeyFrameWidth(payload.subspan(vp8->header_size));
    if (vp8->has_picture_id) {
      f.has_pid = true;
      f.picture_id = vp8->picture_id;
    }
  }
  if (pkt.marker()) {
    f.have_last = true;
    f.last = seq;
  }
  ++f.count;
  while (s.frames.size() > kMaxFrames) s.frames.erase(s.frames.begin());
  TryDecode(s, ssrc, now_us);
}

void VideoReceiver::TryDecode(Stream& s, uint32_t ssrc, int64_t now_us) {
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto it = s.frames.begin(); it != s.frames.end(); ++it) {
      const Frame& f = it->second;
      const bool complete =
          f.have_first && f.have_last && f.count == static_cast<uint16_t>(f.last - f.first) + 1;
      if (!complete) continue;
      const bool next = !s.need_key && f.has_pid && f.picture_id == ((s.last_pid + 1) & 0x7fff);
      if (!f.key && !next) continue;
      // Decode it.
      ++stats_.frames_decoded;
      if (s.last_frame_us >= 0 && now_us - s.last_frame_us > kFreezeUs) ++stats_.freezes;
      s.last_frame_us = now_us;
      if (s.first_frame_us < 0) s.first_frame_us = now_us;
      s.last_pid = f.picture_id;
      s.last_ts = f.ts;
      s.need_key = false;
      s.broken_since_us = -1;
      if (s.wait_start_us >= 0) {
        stats_.keyframe_wait_ms.push_back(static_cast<double>(now_us - s.wait_start_us) / 1000.0);
        s.wait_start_us = -1;
      }
      if (s.expect_us >= 0) {
        stats_.first_frame_ms.push_back(static_cast<double>(now_us - s.expect_us) / 1000.0);
        s.expect_us = -1;
      }
      s.decoded_any = true;
      if (f.key && f.width > 0 && f.width != s.width) {
        s.width = f.width;
        stats_.width_changes.push_back({now_us, ssrc, f.width});
      }
      s.frames.erase(s.frames.begin(), std::next(it));  // older frames are obsolete
      progress = true;
      break;
    }
  }
  if (!s.frames.empty() && s.broken_since_us < 0) {
    // Something newer than the chain is waiting: a gap (NACK may still repair it).
    bool waiting = false;
    for (const auto& [ts, f] : s.frames)
      if (f.have_last) waiting = true;
    if (waiting) s.broken_since_us = now_us;
  }
}

VideoReceiver::Feedback VideoReceiver::Poll(int64_t now_us) {
  Feedback fb;
  for (auto& [ssrc, s] : streams_) {
    std::vector<uint16_t> nack;
    for (auto it = s.missing.begin(); it != s.missing.end();) {
      auto& [at, tries] = it->second;
      if (it->first < s.highest - 500 || (tries >= kNackTries && at <= now_us)) {
        it = s.missing.erase(it);
        continue;
      }
      if (at <= now_us && nack.size() < 64) {
        nack.push_back(static_cast<uint16_t>(it->first));
        ++tries;
        at = now_us + kNackRetryUs;
      }
      ++it;
    }
    if (!nack.empty()) {
      stats_.nacks_sent += nack.size();
      fb.nacks.emplace_back(ssrc, std::move(nack));
    }
    if (s.broken_since_us >= 0 && now_us - s.broken_since_us > kBrokenUs) {
      if (!s.need_key && s.decoded_any) s.wait_start_us = s.broken_since_us;
      s.need_key = true;
    }
    const bool starting = !s.decoded_any && s.have_seq;
    if (s.need_key && (s.decoded_any || starting) && now_us >= s.next_pli_us &&
        (s.broken_since_us >= 0 ? now_us - s.broken_since_us > kBrokenUs : starting)) {
      s.next_pli_us = now_us + kPliRetryUs;
      ++stats_.plis_sent;
      fb.plis.push_back(ssrc);
    }
  }
  return fb;
}

std::vector<wire::rtcp::ReportBlock> VideoReceiver::ReportBlocks() {
  std::vector<wire::rtcp::ReportBlock> out;
  for (auto& [ssrc, s] : streams_) {
    if (!s.have_seq || out.size() >= 30) continue;
    const uint64_t expected = static_cast<uint64_t>(s.highest - s.base + 1);
    const uint64_t de = expected - s.rr_expected, dr = s.received - s.rr_received;
    s.rr_expected = expected;
    s.rr_received = s.received;
    wire::rtcp::ReportBlock b;
    b.source_ssrc = ssrc;
    b.fraction_lost =
        de > dr ? static_cast<uint8_t>(std::min<uint64_t>(255, (de - dr) * 256 / de)) : 0;
    b.cumulative_lost = static_cast<int32_t>(expected > s.received ? expected - s.received : 0);
    b.extended_highest_sequence = static_cast<uint32_t>(s.highest);
    b.jitter = static_cast<uint32_t>(s.jitter);
    out.push_back(b);
  }
  return out;
}

uint64_t VideoReceiver::RembBps(int64_t now_us) {
  if (remb_since_us_ < 0 || now_us - remb_since_us_ < 100'000) return 0;
  const double rate =
      static_cast<double>(remb_bytes_) * 8e6 / static_cast<double>(now_us - remb_since_us_);
  remb_bytes_ = 0;
  remb_since_us_ = now_us;
  const double queue_ms = queue_n_ ? queue_sum_ms_ / static_cast<double>(queue_n_) : 0;
  for (auto& [ssrc, s] : streams_) {  // slide each stream's minimum transit
    if (!s.have_window_min) continue;
    s.mins.push_back(s.window_min_ms);
    if (s.mins.size() > 10) s.mins.erase(s.mins.begin());
    s.min_transit_ms = *std::min_element(s.mins.begin(), s.mins.end());
    s.have_window_min = false;
  }
  queue_sum_ms_ = 0;
  queue_n_ = 0;
  const uint64_t cap = static_cast<uint64_t>(rate * 1.5) + 10'000;
  // Overuse: a queue of 60 ms or more on average, growing, two reports in a row (one slow
  // second of a busy client is not a bottleneck).
  if (queue_ms > 60 && last_queue_ms_ > 60 && queue_ms >= last_queue_ms_) {
    estimate_bps_ = static_cast<uint64_t>(rate * 0.85);  // overuse: a queue is building
  } else if (estimate_bps_ == 0) {
    estimate_bps_ = cap;
  } else if (queue_ms < 30) {
    // Increase, but not past 1.5 x what arrives (libwebrtc's AIMD: the cap stops increases, it
    // never lowers the estimate).
    const uint64_t up = estimate_bps_ * 108 / 100;
    estimate_bps_ = up > cap ? std::max(estimate_bps_, cap) : up;
  }
  last_queue_ms_ = queue_ms;
  return std::max<uint64_t>(estimate_bps_, 10'000);
}

}  // namespace sfu::loadtest

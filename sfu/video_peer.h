#pragma once
// What the video SFU (MeetingVideo and its parts) needs of a participant, publisher or
// subscriber: send it RTP and RTCP, report BITRATES to its client, the time, and the SSRC our
// feedback to it is sent from. ParticipantMedia implements it over its WebRtcTransport; unit
// tests use a fake (tests/sfu/). Thread: the owning shard only.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sfu/video_types.h"

namespace sfu {

class VideoPeer {
 public:
  // A packet built in data[0, len); the buffer has `capacity` bytes of room to protect it in
  // place (kSrtpMaxTrailer for RTP, +4 for RTCP). RTP: false if it was not sent.
  virtual bool SendVideoRtp(uint8_t* data, size_t len, size_t capacity) = 0;
  virtual void SendVideoRtcp(uint8_t* data, size_t len, size_t capacity) = 0;
  // Every 2 s: the rate of every video stream arriving at the server (BITRATES, docs/PROTOCOL.md
  // §4.9).
  virtual void ReportBitrates(std::vector<StreamBitrate> rates) = 0;
  // The SSRC our RTCP feedback (PLI, NACK, RR, REMB) to this participant is sent from.
  virtual uint32_t feedback_ssrc() const = 0;
  // Monotonic milliseconds (the shard's clock).
  virtual int64_t NowMs() const = 0;
  // The MeetingVideo it was set on is going away first (shard shutdown).
  virtual void DetachVideo() = 0;

 protected:
  ~VideoPeer() = default;
};

}  // namespace sfu

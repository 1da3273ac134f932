#pragma once
// One simulated attendee of the load tester, fully asynchronous on its worker's io_context:
// joins over the Chime signaling protocol (AsyncSignalingClient: JOIN, SUBSCRIBE with an Opus
// offer), connects media (ClientTransport: ICE controlling, DTLS client, SRTP), sends looped
// pre-encoded Opus (its talker tone with onset markers, or silence; silence while muted) every
// tick, and measures the mixed audio it receives: loss, jitter, and - when analysing - what it
// hears (decode + Goertzel): mix-minus violations, which talkers are present, mouth-to-ear delay.
// Optional user-space impairment (uplink/downlink loss, burst loss, uplink delay and jitter).
// Thread: the worker's io_context only.

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loadtest/client_transport.h"
#include "loadtest/signal_bank.h"
#include "loadtest/video_bank.h"
#include "loadtest/video_receiver.h"

namespace boost::asio {
class io_context;
}
namespace sfu::transport {
class DtlsContext;
}
namespace sfu::codec {
class OpusFrameDecoder;
}
namespace sfu::signaling::proto {
class SdkSignalFrame;
}

namespace sfu::loadtest {

class AsyncSignalingClient;

// What the attendees of one meeting share across threads.
struct MeetingShared {
  std::string meeting_id;
  std::string host;
  uint16_t port = 0;
  int talkers = 0;  // talker indices 0..talkers-1
  // Steady-clock µs at which talker i last sent the first packet of its tone (onset marker).
  std::array<std::atomic<int64_t>, 10> onset_us{};
  std::atomic<bool> ended{false};  // the server ended the meeting (410)
};

struct Impairment {
  double loss = 0;        // uplink and downlink, random
  double burst_loss = 0;  // probability of entering a loss burst (mean 4 packets), uplink
  int delay_ms = 0;       // uplink
  int jitter_ms = 0;      // uplink, uniform 0..jitter added to delay
  // Delay and jitter apply between these steady-clock times (0, 0: the whole run).
  int64_t delay_from_us = 0, delay_until_us = 0;
  // A downlink bottleneck: RTP toward us drains at this rate through a queue of at most
  // kMaxQueueMs (tail drop beyond), between the steady-clock times from_us and until_us (0: no
  // end).
  int downlink_kbps = 0;
  int64_t limit_from_us = 0, limit_until_us = 0;
  static constexpr int64_t kMaxQueueMs = 300;
  bool any() const {
    return loss > 0 || burst_loss > 0 || delay_ms > 0 || jitter_ms > 0 || downlink_kbps > 0;
  }
};

struct AttendeeStats {
  int meeting = 0;  // index of its meeting in the run
  int joins_attempted = 0;
  int joins_ok = 0;
  std::vector<double> join_ms;        // WebSocket connect start -> first mixed audio packet
  std::vector<std::string> failures;  // one reason per failed join / lost session
  uint64_t audio_sent = 0;
  uint64_t audio_impaired = 0;  // dropped by our own impairment
  uint64_t audio_received = 0;
  uint64_t audio_expected = 0;           // from downlink sequence numbers
  uint64_t audio_downlink_impaired = 0;  // downlink audio our impairment dropped (not the server)
  double jitter_ms = 0;                  // RFC 3550 interarrival jitter of the downlink, last value
  uint64_t analysed_frames = 0;
  uint64_t mix_minus_violations = 0;  // frames in which a talker heard itself (100 ms average)
  uint64_t presence_frames = 0;       // (talker on, other listener) frames expected to carry it
  uint64_t presence_heard = 0;        // ... that did
  std::vector<double> mouth_to_ear_ms;
  std::vector<int64_t> mouth_to_ear_at_us;  // when each was measured (steady clock)
  uint64_t data_sent = 0, data_received = 0, data_throttled = 0;
  uint64_t mute_toggles = 0;
  uint64_t leaves = 0;
  uint64_t rtcp_sent = 0;  // receiver reports, one a second
  // Video.
  uint64_t video_frames_sent = 0;
  uint64_t video_frames_received = 0;  // decoded frames (complete, reference chain intact)
  uint64_t video_freezes = 0;  // a remote stream went more than 300 ms without a decoded frame
  uint64_t video_keyframe_requests = 0;  // PLI/FIR the server sent us
  uint64_t video_retransmissions = 0;    // packets resent for the server's NACKs
  uint64_t video_streams_subscribed = 0;
  // Receiving video like a browser (VideoReceiver).
  uint64_t video_frames_expected = 0;  // PictureID spans of the received streams
  uint64_t video_packets_received = 0, video_packets_recovered = 0, video_padding_bytes = 0;
  uint64_t video_nacks_sent = 0, video_plis_sent = 0;
  double video_stream_seconds = 0;
  std::vector<double> video_keyframe_wait_ms;  // broken chain -> next key frame decoded
  std::vector<double> video_first_frame_ms;    // new subscription -> first decoded frame
  std::vector<WidthChange>
      video_width_changes;  // per remote stream, when its decoded width changed
  // The downlink bottleneck, when this attendee has one.
  int downlink_kbps = 0;
  int64_t limit_from_us = 0, limit_until_us = 0;
  uint64_t downlink_dropped = 0;
  // Frames decoded in the settled part of the limit (from 4 s after it began to its end).
  uint64_t limit_window_frames = 0;
  double limit_window_s = 0;
};

struct SimConfig {
  std::shared_ptr<MeetingShared> meeting;
  int meeting_index = 0;
  std::string join_token;
  int talker_index = -1;  // -1: silent
  bool analyse = false;
  int mixed_talkers = 3;  // the server's K: how many talkers a listener can hear at once
  Impairment impairment;
  uint32_t seed = 1;
  bool red = false;
  const VideoBank* video = nullptr;  // non-null: publish a camera from this bank
  // Simulcast instead: three banks (low, mid, hi) sent as RIDs low/mid/hi (all three non-null).
  std::array<const VideoBank*, 3> simulcast{};
  bool receive_video = true;  // subscribe to every camera in the INDEX (up to 25)
  // How media reaches the server (ClientTransport); TURN paths need credentials in JOIN_ACK
  // (sfu-server --turn-policy always).
  MediaPath media_path = MediaPath::kUdp;
};

class SimAttendee {
 public:
  SimAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
              const SignalBank& bank, SimConfig config);
  ~SimAttendee();

  void Join();
  void Leave();
  // Every 20 ms: send this frame's audio. frame counts ticks of the worker.
  void Tick(uint64_t frame, int64_t now_us);
  void ToggleMute();
  void SendDataMessage();

  bool in_meeting() const { return state_ != State::kIdle && state_ != State::kFailed; }
  bool media_flowing(int64_t now_us) const {
    return last_audio_us_ > 0 && now_us - last_audio_us_ < 1'000'000;
  }
  bool joined() const { return state_ == State::kMedia; }
  // Brings the video receiver's figures into the stats first (worker thread).
  const AttendeeStats& stats();

 private:
  enum class State {
    kIdle,
    kConnecting,
    kJoining,
    kSubscribing,
    kConnectingMedia,
    kMedia,
    kFailed
  };
  void OnFrame(const signaling::proto::SdkSignalFrame& frame);
  void OnSubscribeAck(const std::string& sdp_answer);
  void OnRtp(const uint8_t* data, size_t len);  // impairment, then ProcessRtp
  void ProcessRtp(const uint8_t* data, size_t len);
  void DrainDownlink(int64_t now_us);
  void SendVideoFeedback(int64_t now_us);
  void LearnAnswer(const signaling::proto::SdkSignalFrame& ack);
  void Fail(const std::string& reason);
  void Teardown();
  void ClearOnset();
  void SendRtpImpaired(std::vector<uint8_t> packet);
  void SendReceiverReport();
  void OnIndex(const signaling::proto::SdkSignalFrame& frame);
  void MaybeResubscribe();
  void SendSubscribe();
  void SendVideoFrame();
  void OnRtcp(const uint8_t* data, size_t len);
  bool UplinkLost();

  boost::asio::io_context& io_;
  const transport::DtlsContext& dtls_;
  const SignalBank& bank_;
  SimConfig cfg_;
  std::shared_ptr<AsyncSignalingClient> sig_;
  uint64_t connection_gen_ = 0;  // which connection's callbacks are current
  std::unique_ptr<ClientTransport> media_;
  std::unique_ptr<codec::OpusFrameDecoder> decoder_;
  State state_ = State::kIdle;
  std::mt19937 rng_;
  bool in_burst_ = false;
  bool muted_ = false;
  uint32_t ssrc_ = 0;
  uint16_t seq_ = 0;
  uint32_t ts_ = 0;
  int phase_ = 0;  // talker's offset into its loop
  std::string ice_ufrag_, ice_pwd_;
  TurnServerParams turn_;  // from JOIN_ACK, for a TURN media path
  int64_t join_start_us_ = 0;
  int64_t last_audio_us_ = 0;
  // Downlink bookkeeping.
  bool have_seq_ = false;
  int64_t highest_seq_ = 0;  // unwrapped
  int64_t first_seq_ = 0;
  uint16_t last_seq16_ = 0;
  uint32_t downlink_ssrc_ = 0;
  // Video: one layer without simulcast, three (low, mid, hi) with.
  struct SendLayer {
    const VideoBank* bank = nullptr;
    std::string rid;
    uint32_t ssrc = 0;
    uint32_t rtx_ssrc = 0;
    uint16_t seq = 0;
    uint16_t rtx_seq = 0;
    uint16_t picture_id = 0;
    size_t frame = 0;
    bool force_key = true;
    std::vector<std::vector<uint8_t>> sent;  // ring of the last 256 packets, by seq
  };
  bool publishing() const { return !send_layers_.empty(); }
  std::vector<SendLayer> send_layers_;
  uint32_t video_ts_ = 0;
  uint32_t own_group_id_ = 0;
  bool camera_rtx_ = false;  // the answer took RTX on the camera: retransmit on it (RFC 4588)
  std::vector<uint32_t> subscribed_;  // stream ids on remote sections, in section order
  std::vector<uint32_t> wanted_;      // from the last INDEX
  uint64_t rr_expected_ = 0, rr_received_ = 0;
  double last_transit_ = 0;
  bool have_transit_ = false;
  std::array<int, 10> off_run_{};       // per talker: frames not heard in a row
  std::array<double, 5> self_power_{};  // own tone's power in the last 5 frames (linear)
  size_t self_at_ = 0;
  VideoReceiver video_rx_;
  std::vector<uint32_t> expected_ssrcs_;  // section SSRCs already timed for their first frame
  struct Queued {
    int64_t release_us;
    std::vector<uint8_t> packet;
  };
  std::deque<Queued> downlink_q_;     // the bottleneck's queue
  int64_t downlink_free_us_ = 0;      // when the bottleneck finishes what it holds
  int64_t window_start_frames_ = -1;  // decoded frames when the settled limit window began
  AttendeeStats stats_;
  std::shared_ptr<bool> alive_;  // for delayed-send timers
};

}  // namespace sfu::loadtest

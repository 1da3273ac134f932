#pragma once
// One simulated attendee of the load tester, fully asynchronous on its worker's io_context. This
// base class is the media half, the same whatever server is under test: it sends looped
// pre-encoded Opus every tick (its talker tone with onset markers, or silence; silence while
// muted) and, when it publishes, a VP8 camera (optionally simulcast) answering PLI/FIR and NACK;
// it measures the mixed audio it receives (loss, jitter, and - when analysing - what it hears,
// decode + Goertzel: mix-minus violations, which talkers are present, mouth-to-ear delay) and the
// video (VideoReceiver: frames, freezes, NACK/PLI, REMB). Optional user-space impairment
// (uplink/downlink loss, burst loss, uplink delay and jitter, a downlink bottleneck).
// The signaling half is a subclass per target: ChimeAttendee (chime_attendee.h: the Chime
// signaling protocol against sfu-server) and JanusAttendee (janus_attendee.h: Janus's WebSocket
// API, AudioBridge or VideoRoom). A subclass makes the transports (`media_` sends and receives;
// an optional `media_down_` receives subscriptions on a second PeerConnection) and calls
// OnMediaConnected / Fail; the base does the rest.
// Thread: the worker's io_context only.

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "loadtest/client_transport.h"
#include "loadtest/signal_bank.h"
#include "loadtest/trace.h"
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

namespace sfu::loadtest {

// The server under test (--target).
enum class Target {
  kChime,             // sfu-server (or anything speaking the Chime SDK protocols)
  kJanusAudioBridge,  // Janus's AudioBridge plugin: mixed audio, no video
  kJanusVideoRoom,    // Janus's VideoRoom plugin: forwarded audio and video, no mixing
};
const char* TargetName(Target t);  // "chime", "janus-audiobridge", "janus-videoroom"
std::optional<Target> ParseTarget(std::string_view name);
inline bool IsJanus(Target t) { return t != Target::kChime; }

// What the attendees of one meeting share across threads.
struct MeetingShared {
  std::string meeting_id;  // chime: the MeetingId; janus: the room number
  std::string host;        // the signaling endpoint (chime: SignalingUrl; janus: the API URL)
  uint16_t port = 0;
  uint64_t room = 0;  // janus: the room made for this meeting
  int talkers = 0;    // talker indices 0..talkers-1
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
  uint64_t rtp_received = 0;             // every RTP packet that arrived (audio, video, RTX)
  uint64_t video_rtp_received = 0;       // ... of them video (VP8, RTX)
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
  Target target = Target::kChime;
  std::shared_ptr<MeetingShared> meeting;
  int meeting_index = 0;
  int attendee_index = 0;  // in its meeting
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
  // --trace: this attendee's signaling frames and transport events go here (one attendee).
  std::shared_ptr<TraceSink> trace;
};

class SimAttendee {
 public:
  // The attendee for config.target.
  static std::unique_ptr<SimAttendee> Create(boost::asio::io_context& io,
                                             const transport::DtlsContext& dtls,
                                             const SignalBank& bank, SimConfig config);
  virtual ~SimAttendee();

  virtual void Join() = 0;
  virtual void Leave() = 0;
  // Every 20 ms: send this frame's audio (and video). frame counts ticks of the worker.
  void Tick(uint64_t frame, int64_t now_us);
  virtual void ToggleMute() = 0;
  virtual void SendDataMessage() = 0;

  bool in_meeting() const { return state_ != State::kIdle && state_ != State::kFailed; }
  // Receiving what it should: the mixed audio (targets that mix), else any media.
  bool media_flowing(int64_t now_us) const {
    const int64_t last = cfg_.target == Target::kJanusVideoRoom ? last_rx_us_ : last_audio_us_;
    return last > 0 && now_us - last < 1'000'000;
  }
  bool joined() const { return state_ == State::kMedia; }
  // Brings the video receiver's figures into the stats first (worker thread).
  const AttendeeStats& stats();

 protected:
  SimAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
              const SignalBank& bank, SimConfig config);

  enum class State {
    kIdle,
    kConnecting,
    kJoining,
    kSubscribing,
    kConnectingMedia,
    kMedia,
    kFailed
  };
  // The subclass's signaling: closed by Teardown (every leave, failure and destruction).
  virtual void CloseSignaling() = 0;
  // Each tick, whatever the state (keep-alives).
  virtual void OnSignalingTick(uint64_t /*frame*/) {}

  // A new join starts: per-join measurement state is reset, the attempt counted.
  void BeginJoin();
  // Callbacks for a transport made by the subclass: RTP and RTCP into the base, failures to
  // Fail, on_connected to the given function; its events to the trace as `name` ("media",
  // "subscription").
  ClientTransport::Callbacks MediaCallbacks(const char* name, std::function<void()> on_connected);
  // The joining attendee's publishing transport is up: media flows from now on.
  void OnMediaConnected();
  // A join that counts as done when media is up rather than at the first mixed audio (targets
  // that do not mix): records the join time once.
  void MarkJoined(int64_t now_us);
  void Fail(const std::string& reason);
  void Teardown();
  void ClearOnset();
  // The transport receiver feedback goes on: the subscription's when there is one.
  ClientTransport* FeedbackTransport() { return media_down_ ? media_down_.get() : media_.get(); }

 private:
  void OnRtp(const uint8_t* data, size_t len);  // impairment, then ProcessRtp
  void ProcessRtp(const uint8_t* data, size_t len);
  void ProcessAudio(const uint8_t* data, size_t len, int64_t now);
  void DrainDownlink(int64_t now_us);
  void SendVideoFeedback(int64_t now_us);
  void SendRtpImpaired(std::vector<uint8_t> packet);
  void SendReceiverReport();
  void SendVideoFrame();
  void OnRtcp(const uint8_t* data, size_t len);
  bool UplinkLost();

 protected:
  boost::asio::io_context& io_;
  const transport::DtlsContext& dtls_;
  const SignalBank& bank_;
  SimConfig cfg_;
  uint64_t connection_gen_ = 0;                  // which connection's callbacks are current
  std::unique_ptr<ClientTransport> media_;       // publishes (and, for Chime, receives)
  std::unique_ptr<ClientTransport> media_down_;  // a second PeerConnection for subscriptions
  // Payload types of what we receive (chime: our offer's; janus subscriptions: Janus's offer).
  int rx_opus_pt_ = 111, rx_vp8_pt_ = 96, rx_rtx_pt_ = 97;
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
  int64_t join_start_us_ = 0;
  int64_t last_audio_us_ = 0;
  int64_t last_rx_us_ = 0;  // any media received
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
  bool camera_rtx_ = false;      // the answer took RTX on the camera: retransmit on it (RFC 4588)
  bool camera_mid_ext_ = false;  // camera packets carry the MID extension (WithCameraMidExtension)
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

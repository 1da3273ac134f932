#pragma once
// One attendee's media on the meeting's shard: its WebRtcTransport, its place in the meeting's
// audio mix (MeetingAudio) and its downlink audio stream: the mixer's payload of each 20 ms tick
// sent under the attendee's own SSRC, sequence numbers and timestamps (ListenerStream), so the
// stream stays continuous whether it carries the shared mix, its own mix-minus or silence.
// Uplink audio (Opus, or RED when negotiated) goes to the mixer.
// Created, renegotiated and destroyed by the control thread through Shard::Post (by id).
// Thread: the owning shard only.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mixer/listener_stream.h"
#include "mixer/room_mixer.h"
#include "sfu/mix_listener.h"
#include "sfu/shard_session.h"
#include "sfu/shard_transport.h"
#include "sfu/video_peer.h"
#include "sfu/video_types.h"
#include "transport/sctp/sctp_association.h"
#include "transport/webrtc_transport.h"

namespace sfu {

class Shard;
class MeetingAudio;
class MeetingVideo;

struct ParticipantMediaPlan {
  uint64_t id = 0;  // process-unique, chosen by the control thread
  std::string meeting_id;
  std::string attendee_id;
  transport::WebRtcTransport::Params transport;
  int audio_payload_type = -1;  // Opus PT of the offer; -1: no audio downlink
  int red_payload_type = -1;    // audio/red PT when negotiated (RFC 2198 uplink); -1: none
  uint32_t audio_ssrc = 0;      // ours, announced in the answer
  int audio_level_ext_id = 0;   // the offer's ssrc-audio-level (RFC 6464) id; 0: not negotiated
  bool muted = false;           // initial mute state (SUBSCRIBE audio_muted)
  // Attendee capabilities (docs/PROTOCOL.md, "Attendee capabilities"): a non-sender's uplink
  // audio is dropped before the mixer (not decoded, mixed or reported in volume levels); a
  // non-receiver gets Opus silence frames instead of the mix (the stream stays alive).
  bool audio_send = true;
  bool audio_receive = true;
  mixer::RoomMixerConfig mixer;  // used when this participant creates the meeting's mixer
  VideoPlanForMedia video;       // camera published and remote videos received
  // Called on the shard every 2 s with the rate of every video stream arriving at the server
  // (BITRATES, docs/PROTOCOL.md §4.9). Must only post.
  std::function<void(std::vector<StreamBitrate>)> report_bitrates;
  // Called on the shard every 250 ms while the attendee sends audio, with the mixer's loudest
  // level of the window (RFC 6464 scale: 0 = 0 dBov loudest, 127 = silence) and signal
  // strength (0..2). Must only post.
  std::function<void(uint8_t level, uint8_t signal_strength)> report_level;
  // The offer had m=application: data channels carry the same binary frames as the signaling
  // WebSocket (0x05 + SdkSignalFrame, DATA_MESSAGE). Each message is handed to on_data_frame
  // (called on the shard; must only post). on_data_channel_open likewise.
  bool data_channel = false;
  uint32_t remote_max_message_size = 0;
  std::function<void(std::vector<uint8_t> frame)> on_data_frame;
  std::function<void()> on_data_channel_open;
  // The transport connected (ICE and DTLS done). Called on the shard; must only post.
  std::function<void()> on_connected;
};

class ParticipantMedia final : public ShardSession,
                               public MixListener,
                               public VideoPeer,
                               public transport::WebRtcTransport::Listener,
                               public transport::SctpAssociation::Listener {
 public:
  ParticipantMedia(Shard& shard, ParticipantMediaPlan plan);
  ~ParticipantMedia() override;

  void OnTick(int64_t now_ms) override;
  bool finished() const override { return finished_; }
  uint64_t id() const { return plan_.id; }

  // A renegotiation on the same transport (same ICE credentials): the audio PTs may change.
  void Update(int audio_payload_type, int red_payload_type);
  // AUDIO_CONTROL: a muted attendee is not mixed.
  void SetMuted(bool muted);
  // Capabilities changed (UpdateAttendeeCapabilities): effective from the next packet and tick.
  void SetAudioCapabilities(bool send, bool receive);
  // From the meeting's mixer, once per tick: the Opus payload for this listener.
  void SendMixedAudio(std::span<const uint8_t> opus, uint64_t tick) override;
  void ReportLevel(int level_dbov, int signal_strength) override;
  // The mixer is going away first (shard shutdown).
  void DetachAudio() override { audio_ = nullptr; }
  // Video: what it publishes and receives (renegotiation).
  void SetVideo(const VideoPlanForMedia& video);
  // PAUSE/RESUME from the client: stop/restart forwarding these streams to it.
  void SetVideoPaused(const std::vector<uint32_t>& stream_ids, bool paused);
  // VideoPeer: the SFU's sends to it (RTP and the RTCP it built, in buffers with room for the
  // SRTP/SRTCP trailer), BITRATES toward its client.
  bool SendVideoRtp(uint8_t* data, size_t len, size_t capacity) override;
  void SendVideoRtcp(uint8_t* data, size_t len, size_t capacity) override;
  void ReportBitrates(std::vector<StreamBitrate> rates) override {
    if (plan_.report_bitrates) plan_.report_bitrates(std::move(rates));
  }
  uint32_t feedback_ssrc() const override { return plan_.audio_ssrc ? plan_.audio_ssrc : 1; }
  int64_t NowMs() const override;
  void DetachVideo() override { video_ = nullptr; }
  // The control thread is done with it (signaling closed): close and let the shard remove it.
  void Stop();
  // Sends a binary frame on every open data channel (shard thread).
  void SendDataFrame(const std::vector<uint8_t>& frame);

 private:
  void OnTransportConnected(transport::WebRtcTransport& t) override;
  void OnRtp(transport::WebRtcTransport& t, const wire::RtpPacketView& packet, uint8_t* data,
             size_t capacity) override;
  void OnRtcp(transport::WebRtcTransport& t, uint8_t* data, size_t len, size_t capacity) override;
  void OnApplicationData(transport::WebRtcTransport& t, std::span<const uint8_t> data) override;
  void OnTransportClosed(transport::WebRtcTransport& t, std::string_view reason) override;
  // SctpAssociation::Listener
  void OnSctpOutgoingPacket(std::span<const uint8_t> packet) override;
  void OnDataChannelOpen(uint16_t stream_id, const std::string& label,
                         const std::string& protocol) override;
  void OnDataChannelMessage(uint16_t stream_id, bool binary,
                            std::span<const uint8_t> data) override;
  void OnSctpStateChange(transport::SctpAssociation::State state) override;

  Shard& shard_;
  ParticipantMediaPlan plan_;
  ShardTransport transport_;
  std::unique_ptr<transport::SctpAssociation> sctp_;
  std::vector<uint16_t> open_channels_;
  MeetingAudio* audio_ = nullptr;
  MeetingVideo* video_ = nullptr;
  uint32_t mixer_id_ = 0;
  mixer::ListenerStream stream_;
  bool finished_ = false;
};

// Finds a participant on the shard it lives on (shard thread only). Null if gone.
ParticipantMedia* FindParticipantMedia(Shard& shard, uint64_t id);

}  // namespace sfu

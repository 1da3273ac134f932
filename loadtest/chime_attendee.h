#pragma once
// A simulated attendee against sfu-server (or any server speaking the Chime SDK protocols): joins
// over the Chime signaling protocol (AsyncSignalingClient: JOIN, SUBSCRIBE with a Chrome-shaped
// offer, renegotiating as the INDEX lists cameras), connects one transport (ClientTransport: ICE
// controlling against the server's ICE-lite, DTLS client, over the --media-path), mutes with
// AUDIO_CONTROL and sends data messages. Media and measurement: SimAttendee.
// Thread: the worker's io_context only.

#include <memory>
#include <string>
#include <vector>

#include "loadtest/sim_attendee.h"

namespace sfu::signaling::proto {
class SdkSignalFrame;
}

namespace sfu::loadtest {

class AsyncSignalingClient;

class ChimeAttendee final : public SimAttendee {
 public:
  ChimeAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
                const SignalBank& bank, SimConfig config);
  ~ChimeAttendee() override;

  void Join() override;
  void Leave() override;
  void ToggleMute() override;
  void SendDataMessage() override;

 private:
  void CloseSignaling() override;
  void OnFrame(const signaling::proto::SdkSignalFrame& frame);
  void OnSubscribeAck(const std::string& sdp_answer);
  void LearnAnswer(const signaling::proto::SdkSignalFrame& ack);
  void OnIndex(const signaling::proto::SdkSignalFrame& frame);
  void MaybeResubscribe();
  void SendSubscribe();
  void SendFrame(const signaling::proto::SdkSignalFrame& frame);  // traced, then sent
  void Trace(bool outgoing, const signaling::proto::SdkSignalFrame& frame);

  std::shared_ptr<AsyncSignalingClient> sig_;
  TurnServerParams turn_;  // from JOIN_ACK, for a TURN media path
  uint32_t own_group_id_ = 0;
  std::vector<uint32_t> subscribed_;  // stream ids on remote sections, in section order
  std::vector<uint32_t> wanted_;      // from the last INDEX
};

}  // namespace sfu::loadtest

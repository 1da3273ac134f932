#pragma once
// A simulated attendee against Janus (1.x) through its WebSocket API, with the same media and
// measurements as against sfu-server (SimAttendee):
//  - AudioBridge: one session and plugin handle; "join" the meeting's room with our Opus offer
//    (48 kHz mono, 32 kb/s, complexity 5, FEC at 5 % expected loss: sfu-server's mixer
//    settings) and one host candidate; Janus answers (full ICE: it checks us, we check it; DTLS
//    role from its a=setup) and sends us the mix of everyone else. Mute: "configure".
//  - VideoRoom: a publisher handle ("join" as publisher, "configure" with our audio + camera
//    offer, simulcast RIDs in low-mid-high order) and, as publishers appear, one subscriber
//    handle for every other publisher's camera (multistream: one PeerConnection, renegotiated
//    with "subscribe"; Janus offers, we answer with "start" and are the ICE controlled agent and
//    DTLS client). Audio is published but not subscribed: the VideoRoom forwards, it does not
//    mix, and the comparison is about video.
// Keep-alives every 25 s (Janus ends a silent session after 60). No data channel: data messages
// are not sent. Thread: the worker's io_context only.

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "loadtest/sim_attendee.h"

namespace sfu::loadtest {

class JanusConnection;

class JanusAttendee final : public SimAttendee {
 public:
  JanusAttendee(boost::asio::io_context& io, const transport::DtlsContext& dtls,
                const SignalBank& bank, SimConfig config);
  ~JanusAttendee() override;

  void Join() override;
  void Leave() override;
  void ToggleMute() override;
  void SendDataMessage() override {}

  // Janus's plugin names.
  static const char* PluginName(Target t);

 private:
  using Reply = std::function<void(const boost::json::object&)>;
  void CloseSignaling() override;
  void OnSignalingTick(uint64_t frame) override;
  void OnEvent(const boost::json::object& message);
  // Sends a core request on the session; the reply runs only if this connection is current.
  void Send(boost::json::object request, Reply reply);
  // A plugin message on a handle, with an optional JSEP.
  void Message(uint64_t handle, boost::json::object body, boost::json::object jsep, Reply reply);
  void Attach(std::function<void(uint64_t handle)> then);
  // The publishing transport (AudioBridge: the only one) made and bound, our offer for it.
  std::string MakePublisherOffer();
  // The peer's answer to our offer (or its offer to us) starts a transport.
  void StartTransport(ClientTransport* transport, const std::string& sdp, bool is_offer);
  void OnPublisherAnswer(const boost::json::object& reply);
  // VideoRoom.
  void OnVideoRoomJoined(const boost::json::object& data);
  void OnPublishers(const boost::json::value* publishers);
  void UpdateSubscription();
  void OnSubscriptionOffer(const std::string& sdp);
  std::string CandidateIp() const;

  std::shared_ptr<JanusConnection> conn_;
  uint64_t session_ = 0;
  uint64_t handle_ = 0;      // AudioBridge participant, or VideoRoom publisher
  uint64_t sub_handle_ = 0;  // VideoRoom subscriber
  uint64_t publisher_id_ = 0, private_id_ = 0;
  std::map<uint64_t, std::string> feeds_;  // other publishers' camera mids, by publisher id
  std::set<uint64_t> subscribed_;          // publishers whose camera we asked for
  bool sub_busy_ = false;                  // a subscription request awaits its offer
  bool sub_again_ = false;                 // publishers arrived meanwhile
  std::string sub_ufrag_, sub_pwd_;
  bool sub_started_ = false;
  // A transport waiting for the peer's candidate by trickle.
  ClientTransport* awaiting_candidate_ = nullptr;
  ClientTransportParams awaiting_params_;
};

}  // namespace sfu::loadtest

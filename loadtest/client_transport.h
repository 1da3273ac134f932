#pragma once
// The client side of a WebRTC transport, as a browser runs it against our ICE-lite server:
// ICE controlling agent (Binding requests with USE-CANDIDATE, then consent checks every
// 2.5 s), DTLS client, SRTP/SRTCP, all on one UDP socket on an io_context. Used by the
// reference client and load tester, and by integration tests (which also use SendRaw() to
// throw bad input at the server from a connected address).
// Thread: the io_context's thread only (construct, call and destroy there).

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "transport/dtls/dtls_session.h"
#include "transport/srtp/srtp_session.h"

namespace boost::asio {
class io_context;
}

namespace sfu::loadtest {

struct ClientTransportParams {
  std::string server_ip = "127.0.0.1";
  uint16_t server_port = 0;
  std::string server_ufrag;
  std::string server_pwd;
  std::string server_fingerprint_algorithm = "sha-256";
  std::string server_fingerprint;
  std::string local_ufrag;  // ours, as put in our offer
  std::string local_pwd;
};

class ClientTransport {
 public:
  struct Callbacks {
    std::function<void()> on_connected;                     // DTLS done, SRTP ready
    std::function<void(std::span<const uint8_t>)> on_rtp;   // decrypted
    std::function<void(std::span<const uint8_t>)> on_rtcp;  // decrypted
    std::function<void(const std::string&)> on_failed;
    // Data channel (when EnableDataChannel() was called): open, and each message received.
    std::function<void()> on_data_channel_open;
    std::function<void(std::span<const uint8_t>)> on_data_channel_message;
  };

  // dtls: a client-side context (its fingerprint goes in our offer). Borrowed.
  ClientTransport(boost::asio::io_context& ioc, const transport::DtlsContext& dtls,
                  ClientTransportParams params, Callbacks callbacks);
  ~ClientTransport();

  void Start();
  // Before Start(): run SCTP over DTLS and open one data channel (stream 0, label `label`) once
  // DTLS is up, as a browser's createDataChannel does.
  void EnableDataChannel(const std::string& label);
  // User-space impairment (the kernel has no netem): a datagram for which `drop` returns true is
  // discarded before decryption, as if lost on the way (the RTP header is readable: it is not
  // encrypted). Call on the io_context's thread.
  void SetIncomingFilter(std::function<bool(std::span<const uint8_t> datagram)> drop);
  // Sends a binary message on the data channel. False if it is not open.
  bool SendDataChannel(std::span<const uint8_t> message);
  bool connected() const;
  // Protects a copy and sends it. False if not connected.
  bool SendRtp(std::span<const uint8_t> rtp);
  bool SendRtcp(std::span<const uint8_t> rtcp);
  // Sends bytes as they are (tests: garbage, replays, forged packets).
  void SendRaw(std::span<const uint8_t> datagram);
  // Protects without sending (tests: capture a valid SRTP packet to replay it).
  std::vector<uint8_t> ProtectRtp(std::span<const uint8_t> rtp);
  uint16_t local_port() const;
  uint64_t stun_responses() const;
  std::string dtls_version() const;
  transport::SrtpProfile srtp_profile() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sfu::loadtest

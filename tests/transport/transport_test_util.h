#pragma once
// Helpers shared by the tests of the media transport over TCP (ICE-TCP, the TURN server) and of
// TURN (the server's session, the reference client's TurnClient).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "transport/turn/turn_session.h"
#include "transport/webrtc_transport.h"
#include "transport/wire/stun_message.h"

namespace sfu::testing {

// A transport's listener that ignores every event.
struct NullListener : transport::WebRtcTransport::Listener {
  void OnTransportConnected(transport::WebRtcTransport&) override {}
  void OnRtp(transport::WebRtcTransport&, const wire::RtpPacketView&, uint8_t*, size_t) override {}
  void OnRtcp(transport::WebRtcTransport&, uint8_t*, size_t, size_t) override {}
  void OnApplicationData(transport::WebRtcTransport&, std::span<const uint8_t>) override {}
  void OnTransportClosed(transport::WebRtcTransport&, std::string_view) override {}
};

// A blocking TCP socket connected to 127.0.0.1:port (the connect is EXPECTed to succeed).
inline int ConnectLoopbackTcp(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  return fd;
}

// The IPv4 address a.b.c.d:port.
inline wire::StunAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port) {
  wire::StunAddress s;
  s.family = 4;
  s.ip[0] = a, s.ip[1] = b, s.ip[2] = c, s.ip[3] = d;
  s.port = port;
  return s;
}

// A shard's TURN policy: REST credentials from `secret`, `media` (the shard's media address) the
// only peer, relayed addresses on media's IP; REST expiries against `now_s` if given, else the
// wall clock.
inline transport::TurnPolicy TurnTestPolicy(const std::string& secret,
                                            const wire::StunAddress& media, int64_t now_s = 0) {
  transport::TurnPolicy p;
  p.secret = secret;
  p.peers = {media};
  p.relay_ip = media;
  p.relay_ip.port = 0;
  if (now_s) p.unix_now_s = [now_s] { return now_s; };
  return p;
}

}  // namespace sfu::testing

// SDP with a full-ICE peer that may offer (Janus): the transport parameters and DTLS/ICE roles
// read from its offer or answer, and our answer to a subscription offer (recvonly sections with
// the offered payload types, rejected data channel, one candidate, a=setup:active).
#include "loadtest/janus_sdp.h"

#include <gtest/gtest.h>

#include "loadtest/audio_offer.h"

namespace sfu::loadtest {
namespace {

// Shaped like a VideoRoom subscription offer: two cameras with RTX, a data channel.
const char kOffer[] =
    "v=0\r\n"
    "o=- 1 1 IN IP4 127.0.0.1\r\n"
    "s=VideoRoom 1\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 AA:BB:CC\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=sendonly\r\n"
    "a=mid:0\r\n"
    "a=rtcp-mux\r\n"
    "a=ice-ufrag:JnUf\r\n"
    "a=ice-pwd:JanusPassword0123456789\r\n"
    "a=setup:actpass\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=ssrc-group:FID 1111 2222\r\n"
    "a=ssrc:1111 cname:janus\r\n"
    "a=ssrc:2222 cname:janus\r\n"
    "a=candidate:1 1 udp 2015363327 127.0.0.1 40123 typ host\r\n"
    "a=end-of-candidates\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=sendonly\r\n"
    "a=mid:1\r\n"
    "a=rtcp-mux\r\n"
    "a=ice-ufrag:JnUf\r\n"
    "a=ice-pwd:JanusPassword0123456789\r\n"
    "a=setup:actpass\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=ssrc:3333 cname:janus\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 127.0.0.1\r\n"
    "a=mid:2\r\n"
    "a=sctp-port:5000\r\n";

TEST(JanusSdpTest, ReadsTheOfferersTransportAndTakesTheAnswererRoles) {
  auto parsed = sdp::Parse(kOffer);
  ASSERT_TRUE(parsed.description) << parsed.error;
  ClientTransportParams p;
  bool needs_candidate = true;
  std::string error;
  ASSERT_TRUE(ReadPeerTransport(*parsed.description, kOffer, /*is_offer=*/true, &p,
                                &needs_candidate, &error))
      << error;
  EXPECT_FALSE(needs_candidate);
  EXPECT_EQ(p.server_ip, "127.0.0.1");
  EXPECT_EQ(p.server_port, 40123);
  EXPECT_EQ(p.server_ufrag, "JnUf");
  EXPECT_EQ(p.server_pwd, "JanusPassword0123456789");
  EXPECT_EQ(p.server_fingerprint, "AA:BB:CC");
  EXPECT_EQ(p.dtls_role, transport::DtlsSession::Role::kClient);  // we answer active
  EXPECT_FALSE(p.ice_controlling);                                // the offerer controls
}

TEST(JanusSdpTest, AnAnswerSaysWhichDtlsRoleWeTake) {
  const std::string active =
      "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n"
      "a=fingerprint:sha-256 AA\r\na=setup:active\r\na=rtpmap:111 opus/48000/2\r\n";
  auto parsed = sdp::Parse(active);
  ASSERT_TRUE(parsed.description);
  ClientTransportParams p;
  bool needs_candidate = false;
  std::string error;
  ASSERT_TRUE(ReadPeerTransport(*parsed.description, active, false, &p, &needs_candidate, &error));
  EXPECT_EQ(p.dtls_role, transport::DtlsSession::Role::kServer);  // the answerer is the client
  EXPECT_TRUE(p.ice_controlling);
  EXPECT_TRUE(needs_candidate);  // no candidate: it comes by trickle

  std::string passive = active;
  passive.replace(passive.find("active"), 6, "passive");
  parsed = sdp::Parse(passive);
  ASSERT_TRUE(ReadPeerTransport(*parsed.description, passive, false, &p, &needs_candidate, &error));
  EXPECT_EQ(p.dtls_role, transport::DtlsSession::Role::kClient);

  std::string no_credentials = active;
  no_credentials.erase(no_credentials.find("a=ice-ufrag:u\r\n"), 15);
  parsed = sdp::Parse(no_credentials);
  ASSERT_TRUE(parsed.description) << parsed.error;
  EXPECT_FALSE(
      ReadPeerTransport(*parsed.description, no_credentials, false, &p, &needs_candidate, &error));
  EXPECT_EQ(error, "SDP without ICE credentials or fingerprint");
}

TEST(JanusSdpTest, AnswersASubscriptionRecvonlyWithTheOfferedPayloadTypes) {
  auto offer = sdp::Parse(kOffer);
  ASSERT_TRUE(offer.description);
  std::vector<ReceiveSection> rx;
  const std::string answer = AnswerSubscription(
      *offer.description, "myuf", "mypassword0123456789abcd", "11:22", "127.0.0.1", 50000, &rx);
  auto parsed = sdp::Parse(answer);
  ASSERT_TRUE(parsed.description) << parsed.error << "\n" << answer;
  const auto& media = parsed.description->media;
  ASSERT_EQ(media.size(), 3u);
  EXPECT_EQ(media[0].direction, "recvonly");
  EXPECT_EQ(media[0].setup, "active");
  EXPECT_EQ(media[0].ice_ufrag, "myuf");
  ASSERT_NE(media[0].FindCodec(96), nullptr);
  ASSERT_NE(media[0].FindCodec(97), nullptr);  // RTX taken: retransmissions come on it
  EXPECT_EQ(media[1].direction, "recvonly");
  EXPECT_EQ(media[2].port, 0);  // the data channel is rejected
  ASSERT_NE(parsed.description->BundleGroup(), nullptr);
  EXPECT_EQ(parsed.description->BundleGroup()->size(), 3u);  // "BUNDLE", "0", "1"
  EXPECT_NE(answer.find("a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"),
            std::string::npos);
  ASSERT_EQ(rx.size(), 2u);
  EXPECT_EQ(rx[0].mid, "0");
  EXPECT_EQ(rx[0].pt, 96);
  EXPECT_EQ(rx[0].rtx_pt, 97);
  EXPECT_EQ(rx[0].ssrc, 1111u);
  EXPECT_EQ(rx[0].rtx_ssrc, 2222u);
  EXPECT_EQ(rx[1].ssrc, 3333u);
  EXPECT_EQ(rx[1].rtx_pt, -1);
}

TEST(JanusSdpTest, OffersCarryOneHostCandidateAndTheCameraMidExtension) {
  AudioOfferParams ap{"uf", "pw", "AA", 1234, false};
  const std::string offer = WithCameraMidExtension(
      WithHostCandidate(MakeOffer(ap, VideoOfferParams{true, 0, 0, true, 0}), "127.0.0.1", 4242));
  auto parsed = sdp::Parse(offer);
  ASSERT_TRUE(parsed.description) << parsed.error;
  ClientTransportParams p;
  ASSERT_TRUE(ReadAnswerCandidates(offer, &p));
  EXPECT_EQ(p.server_port, 4242);
  EXPECT_EQ(parsed.description->media[1].ExtensionId("urn:ietf:params:rtp-hdrext:sdes:mid"),
            kOfferMidExtId);
  EXPECT_EQ(parsed.description->media[0].ExtensionId("urn:ietf:params:rtp-hdrext:sdes:mid"), 0);
}

}  // namespace
}  // namespace sfu::loadtest

#include "signaling/sdp/answer_builder.h"

#include <gtest/gtest.h>

#include "tests/signaling/sdp/sdp_test_util.h"

namespace sfu::sdp {
namespace {

AnswerParams Params() {
  AnswerParams p;
  p.ice_ufrag = "srvu";
  p.ice_pwd = "serverpassword0123456789";
  p.fingerprint = "AA:BB:CC";
  p.candidates = {{"127.0.0.1", 3478}};
  p.extension_uris = {"urn:ietf:params:rtp-hdrext:sdes:mid",
                      "urn:ietf:params:rtp-hdrext:ssrc-audio-level"};
  p.feedback = {"nack", "nack pli", "ccm fir"};
  return p;
}

TEST(AnswerBuilderTest, AnswersChromeOfferAsIceLitePassiveBundle) {
  auto offer = Parse(ReadTestFile("chrome_offer.sdp"));
  ASSERT_TRUE(offer.description);
  std::vector<MediaAnswer> answers(3);
  answers[0].send_streams = {{1000, 0, "sfu", "echo", "echo-audio"}};
  answers[1].payload_types = {96, 97};
  answers[1].send_streams = {{2000, 2001, "sfu", "echo", "echo-video"}};
  const std::string text = BuildAnswer(*offer.description, Params(), answers);
  for (const char* line :
       {"a=group:BUNDLE 0 1 2", "a=ice-lite", "a=setup:passive", "a=ice-ufrag:srvu",
        "a=fingerprint:sha-256 AA:BB:CC", "a=candidate:1 1 udp 2130706431 127.0.0.1 3478 typ host",
        "m=audio 3478 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "m=video 3478 UDP/TLS/RTP/SAVPF 96 97", "a=rtcp-fb:96 nack pli",
        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=ssrc-group:FID 2000 2001",
        "a=msid:echo echo-video", "a=sctp-port:5000", "a=max-message-size:262144"}) {
    EXPECT_NE(text.find(std::string(line) + "\r\n"), std::string::npos) << line << "\n" << text;
  }
  // Not understood: transport-cc feedback and extension, and codecs not kept.
  EXPECT_EQ(text.find("transport-cc"), std::string::npos);
  EXPECT_EQ(text.find("transport-wide-cc"), std::string::npos);
  EXPECT_EQ(text.find("H264"), std::string::npos);
  // The answer parses back.
  auto back = Parse(text);
  ASSERT_TRUE(back.description) << back.error;
  EXPECT_TRUE(back.description->ice_lite);
  EXPECT_EQ(back.description->media[1].codecs.size(), 2u);
  EXPECT_EQ(back.description->media[0].direction, "sendrecv");
}

TEST(AnswerBuilderTest, RejectedSectionHasPortZero) {
  auto offer = Parse(ReadTestFile("chrome_offer.sdp"));
  std::vector<MediaAnswer> answers(3);
  answers[1].reject = true;
  const std::string text = BuildAnswer(*offer.description, Params(), answers);
  EXPECT_NE(text.find("m=video 0 "), std::string::npos);
  EXPECT_NE(text.find("a=group:BUNDLE 0 2\r\n"), std::string::npos);
}

TEST(AnswerBuilderTest, MirrorsDirection) {
  EXPECT_EQ(MirrorDirection("sendonly"), "recvonly");
  EXPECT_EQ(MirrorDirection("recvonly"), "sendonly");
  EXPECT_EQ(MirrorDirection("sendrecv"), "sendrecv");
  EXPECT_EQ(MirrorDirection("inactive"), "inactive");
}

}  // namespace
}  // namespace sfu::sdp

#include "signaling/sdp/session_description.h"

#include <gtest/gtest.h>

#include "tests/signaling/sdp/sdp_test_util.h"

namespace sfu::sdp {
namespace {

TEST(SessionDescriptionTest, ParsesChromeOffer) {
  auto r = Parse(ReadTestFile("chrome_offer.sdp"));
  ASSERT_TRUE(r.description) << r.error;
  const SessionDescription& sd = *r.description;
  ASSERT_EQ(sd.media.size(), 3u);
  ASSERT_NE(sd.BundleGroup(), nullptr);
  EXPECT_EQ(*sd.BundleGroup(), (std::vector<std::string>{"BUNDLE", "0", "1", "2"}));
  const MediaSection& audio = sd.media[0];
  EXPECT_EQ(audio.kind, "audio");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.ice_ufrag, "Xy7b");
  EXPECT_EQ(audio.ice_pwd, "d3Vq7Jc8Ck1fLm0pQr2sTu4v");
  EXPECT_EQ(audio.fingerprint_algorithm, "sha-256");
  EXPECT_EQ(audio.setup, "actpass");
  EXPECT_TRUE(audio.rtcp_mux);
  ASSERT_EQ(audio.codecs.size(), 8u);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].clock_rate, 48000);
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[0].feedback, std::vector<std::string>{"transport-cc"});
  EXPECT_EQ(audio.ExtensionId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);
  EXPECT_EQ(audio.Ssrcs(), std::vector<uint32_t>{1111});
  const MediaSection& video = sd.media[1];
  EXPECT_EQ(video.FindCodec(97)->fmtp, "apt=96");
  EXPECT_EQ(video.FindCodec(96)->feedback.size(), 5u);
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{2222, 3333}));
  const MediaSection& app = sd.media[2];
  EXPECT_EQ(app.kind, "application");
  EXPECT_EQ(app.sctp_port, 5000);
  EXPECT_EQ(app.max_message_size, 262144u);
}

TEST(SessionDescriptionTest, SessionLevelCredentialsAreInherited) {
  auto r = Parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-ufrag:u\r\na=ice-pwd:p\r\n"
      "a=fingerprint:sha-256 AA:BB\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:a\r\n");
  ASSERT_TRUE(r.description) << r.error;
  EXPECT_EQ(r.description->media[0].ice_ufrag, "u");
  EXPECT_EQ(r.description->media[0].fingerprint, "AA:BB");
}

TEST(SessionDescriptionTest, RejectsMalformed) {
  struct Case {
    std::string text;
    const char* part;
  } cases[] = {
      {"", "empty"},
      {"x=0\r\n", "v=0"},
      {"v=0\r\nm=audio\r\n", "bad m= line"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF abc\r\n", "payload type"},
      {"v=0\r\nm=audio 99999 RTP/AVP 0\r\n", "port"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\n", "no a=rtpmap"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96\r\n", "rtpmap"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 opus/abc\r\n", "clock"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=extmap:0 urn:x\r\n", "extmap"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:sha-256\r\n", "fingerprint"},
      {"v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ssrc:notanumber cname:x\r\n", "ssrc"},
      {"v=0\r\nbogus\r\n", "type"},
      {"v=0\r\n" + std::string(70000, 'a'), "larger"},
  };
  for (const Case& c : cases) {
    auto r = Parse(c.text);
    EXPECT_FALSE(r.description) << c.text.substr(0, 60);
    EXPECT_NE(r.error.find(c.part), std::string::npos) << r.error;
  }
}

TEST(SessionDescriptionTest, BoundsSectionsAndLines) {
  std::string many = "v=0\r\n";
  for (int i = 0; i < 70; ++i) many += "m=audio 9 RTP/AVP 0\r\n";
  EXPECT_FALSE(Parse(many).description);
  std::string lines = "v=0\r\n";
  for (int i = 0; i < 5000; ++i) lines += "a=x\r\n";
  EXPECT_FALSE(Parse(lines).description);
}

}  // namespace
}  // namespace sfu::sdp

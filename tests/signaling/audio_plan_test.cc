#include "signaling/audio_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sfu::signaling {
namespace {

uint32_t g_next_ssrc = 7000;
uint32_t NextSsrc() { return g_next_ssrc++; }

// Offer sections, in order. Audio payload types: 111 opus, 63 red (fmtp 111/111), 0 PCMU.
const std::string kOpus = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";
const std::string kOpusUpper = "m=audio 9 UDP/TLS/RTP/SAVPF 109\r\na=rtpmap:109 OPUS/48000/2\r\n";
const std::string kOpusRed =
    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\na=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\na=rtpmap:111 opus/48000/2\r\n";
const std::string kRedOfOther =
    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\na=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 110/110\r\na=rtpmap:111 opus/48000/2\r\n";
const std::string kRedAt8k =
    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\na=rtpmap:63 red/8000\r\n"
    "a=fmtp:63 111/111\r\na=rtpmap:111 opus/48000/2\r\n";
const std::string kPcmu = "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\n";
const std::string kLevel = "a=extmap:3 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
const std::string kVideo = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n";
const std::string kData =
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n";
const std::string kDataSized = kData + "a=max-message-size:65536\r\n";
const std::string kDataOff = "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n";

std::string Audio(const std::string& section, const std::string& direction,
                  bool port_zero = false) {
  std::string s = section + "a=" + direction + "\r\n";
  if (port_zero) s.replace(s.find(" 9 "), 3, " 0 ");
  return s;
}

sdp::SessionDescription Offer(const std::vector<std::string>& sections) {
  std::string s =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
      "a=ice-ufrag:u\r\na=ice-pwd:pppppppppppppppppppppp\r\na=fingerprint:sha-256 AA\r\n";
  for (size_t i = 0; i < sections.size(); ++i)
    s += sections[i] + "c=IN IP4 0.0.0.0\r\na=mid:" + std::to_string(i) + "\r\na=rtcp-mux\r\n";
  auto parsed = sdp::Parse(s);
  EXPECT_TRUE(parsed.description) << parsed.error;
  return parsed.description ? *parsed.description : sdp::SessionDescription{};
}

// What one section's answer should be.
struct Section {
  bool reject = false;
  std::vector<int> payload_types;  // when not rejected
  std::string direction;
  bool sends = false;  // our SSRC announced on it
};

struct Case {
  std::string name;
  std::vector<std::string> offer;
  bool muted = false;
  std::vector<Section> answers;  // one per offered section ({} for video: left to PlanVideo)
  int opus = -1;
  int red = -1;
  bool ssrc = false;  // a downlink SSRC chosen
  int level_ext_id = 0;
  bool data_channel = false;
  uint32_t max_message_size = 0;
};

const Section kUntouched{false, {}, "", false};  // a video section, or the kept data channel
const Section kRejected{true, {}, "", false};

std::vector<Case> Cases() {
  return {
      {"opus sendrecv",
       {Audio(kOpus, "sendrecv")},
       false,
       {{false, {111}, "sendrecv", true}},
       111,
       -1,
       true},
      {"OPUS in capitals",
       {Audio(kOpusUpper, "sendrecv")},
       false,
       {{false, {109}, "sendrecv", true}},
       109,
       -1,
       true},
      {"red over opus answered first",
       {Audio(kOpusRed, "sendrecv")},
       false,
       {{false, {63, 111}, "sendrecv", true}},
       111,
       63,
       true},
      {"red over another codec ignored",
       {Audio(kRedOfOther, "sendrecv")},
       false,
       {{false, {111}, "sendrecv", true}},
       111,
       -1,
       true},
      {"red not at 48 kHz ignored",
       {Audio(kRedAt8k, "sendrecv")},
       false,
       {{false, {111}, "sendrecv", true}},
       111,
       -1,
       true},
      {"no opus: rejected", {Audio(kPcmu, "sendrecv")}, false, {kRejected}, -1, -1, false},
      {"client sends only: no downlink, red uplink kept",
       {Audio(kOpusRed, "sendonly")},
       false,
       {{false, {63, 111}, "recvonly", false}},
       -1,
       63,
       false},
      {"client receives only",
       {Audio(kOpus, "recvonly")},
       false,
       {{false, {111}, "sendonly", true}},
       111,
       -1,
       true},
      {"inactive",
       {Audio(kOpus, "inactive")},
       false,
       {{false, {111}, "inactive", false}},
       -1,
       -1,
       false},
      {"muted",
       {Audio(kOpus, "sendrecv")},
       true,
       {{false, {111}, "sendrecv", true}},
       111,
       -1,
       true},
      {"second audio section rejected",
       {Audio(kOpus, "sendrecv"), Audio(kOpus, "sendrecv")},
       false,
       {{false, {111}, "sendrecv", true}, kRejected},
       111,
       -1,
       true},
      {"audio on port 0 rejected, the next one answered; level id from the first",
       {Audio(kOpus + kLevel, "sendrecv", /*port_zero=*/true), Audio(kOpusUpper, "sendrecv")},
       false,
       {kRejected, {false, {109}, "sendrecv", true}},
       109,
       -1,
       true,
       3},
      {"level extension",
       {Audio(kOpus + kLevel, "sendrecv")},
       false,
       {{false, {111}, "sendrecv", true}},
       111,
       -1,
       true,
       3},
      {"video left to PlanVideo",
       {Audio(kOpus, "sendrecv"), kVideo + "a=sendrecv\r\n", kVideo + "a=recvonly\r\n"},
       false,
       {{false, {111}, "sendrecv", true}, kUntouched, kUntouched},
       111,
       -1,
       true},
      {"data channel kept",
       {Audio(kOpus, "sendrecv"), kDataSized},
       false,
       {{false, {111}, "sendrecv", true}, kUntouched},
       111,
       -1,
       true,
       0,
       true,
       65536},
      {"data channel without max-message-size",
       {kData},
       false,
       {kUntouched},
       -1,
       -1,
       false,
       0,
       true,
       0},
      {"second data channel rejected",
       {kData, kDataSized},
       false,
       {kUntouched, kRejected},
       -1,
       -1,
       false,
       0,
       true,
       0},
      {"data channel on port 0 rejected",
       {kDataOff},
       false,
       {kRejected},
       -1,
       -1,
       false,
       0,
       false,
       0},
  };
}

TEST(AudioPlanTest, Table) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    const sdp::SessionDescription offer = Offer(c.offer);
    ASSERT_EQ(offer.media.size(), c.answers.size());
    proto::SdkSubscribeFrame sub;
    sub.set_audio_muted(c.muted);
    SessionAudioState session;
    std::vector<sdp::MediaAnswer> answers(offer.media.size());
    const AudioPlanResult r = PlanAudio(offer, sub, session, answers, &NextSsrc);
    EXPECT_EQ(r.opus_payload_type, c.opus);
    EXPECT_EQ(r.red_payload_type, c.red);
    EXPECT_EQ(r.ssrc != 0, c.ssrc);
    EXPECT_EQ(r.ssrc, session.ssrc);
    EXPECT_EQ(r.level_ext_id, c.level_ext_id);
    EXPECT_EQ(r.muted, c.muted);
    EXPECT_EQ(r.data_channel, c.data_channel);
    EXPECT_EQ(r.remote_max_message_size, c.max_message_size);
    for (size_t i = 0; i < answers.size(); ++i) {
      SCOPED_TRACE("section " + std::to_string(i));
      const sdp::MediaAnswer& a = answers[i];
      const Section& want = c.answers[i];
      EXPECT_EQ(a.reject, want.reject);
      EXPECT_EQ(a.payload_types, want.payload_types);
      EXPECT_EQ(a.direction, want.direction);
      ASSERT_EQ(a.send_streams.size(), want.sends ? 1u : 0u);
      if (want.sends) {
        EXPECT_EQ(a.send_streams[0].ssrc, r.ssrc);
        EXPECT_EQ(a.send_streams[0].rtx_ssrc, 0u);
        EXPECT_EQ(a.send_streams[0].cname, "sfu");
        EXPECT_EQ(a.send_streams[0].stream_id, "mix0");
        EXPECT_EQ(a.send_streams[0].track_id, "mix0-track");
      }
    }
  }
}

TEST(AudioPlanTest, TheDownlinkSsrcIsChosenOnceAndKept) {
  SessionAudioState session;
  // A first SUBSCRIBE that only sends: no SSRC yet.
  const auto send_only = Offer({Audio(kOpus, "sendonly")});
  std::vector<sdp::MediaAnswer> a1(send_only.media.size());
  EXPECT_EQ(PlanAudio(send_only, {}, session, a1, &NextSsrc).ssrc, 0u);
  EXPECT_EQ(session.ssrc, 0u);
  // Receiving: one SSRC, the same on every later SUBSCRIBE.
  const auto both = Offer({Audio(kOpus, "sendrecv")});
  std::vector<sdp::MediaAnswer> a2(both.media.size());
  const uint32_t ssrc = PlanAudio(both, {}, session, a2, &NextSsrc).ssrc;
  EXPECT_NE(ssrc, 0u);
  std::vector<sdp::MediaAnswer> a3(both.media.size());
  EXPECT_EQ(PlanAudio(both, {}, session, a3, &NextSsrc).ssrc, ssrc);
  ASSERT_EQ(a3[0].send_streams.size(), 1u);
  EXPECT_EQ(a3[0].send_streams[0].ssrc, ssrc);
  // Back to send-only: no downlink, but the SSRC stays the session's (told to the shard).
  std::vector<sdp::MediaAnswer> a4(send_only.media.size());
  const AudioPlanResult r4 = PlanAudio(send_only, {}, session, a4, &NextSsrc);
  EXPECT_EQ(r4.opus_payload_type, -1);
  EXPECT_EQ(r4.ssrc, ssrc);
  EXPECT_TRUE(a4[0].send_streams.empty());
}

}  // namespace
}  // namespace sfu::signaling

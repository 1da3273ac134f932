// Attendee capability rules (signaling/api/capabilities.h): defaults from the meeting's
// features, media the meeting turns off, content needing video.
#include "signaling/api/capabilities.h"

#include <gtest/gtest.h>

namespace sfu::api {
namespace {

Capabilities Caps(std::string a, std::string v, std::string c) {
  return Capabilities{std::move(a), std::move(v), std::move(c)};
}

TEST(CapabilitiesTest, OmittedDefaultToSendReceiveOrNoneForMediaTheMeetingTurnsOff) {
  Capabilities c;
  EXPECT_FALSE(ResolveCapabilities("", "Capabilities", &c));
  EXPECT_EQ(c.audio, "SendReceive");
  EXPECT_EQ(c.video, "SendReceive");
  EXPECT_EQ(c.content, "SendReceive");
  Capabilities off;
  EXPECT_FALSE(ResolveCapabilities(
      R"({"Video":{"MaxResolution":"None"},"Content":{"MaxResolution":"None"}})", "Capabilities",
      &off));
  EXPECT_EQ(off.audio, "SendReceive");
  EXPECT_EQ(off.video, "None");
  EXPECT_EQ(off.content, "None");
}

TEST(CapabilitiesTest, MediaTheMeetingTurnsOffAcceptOnlyNone) {
  Capabilities v = Caps("SendReceive", "Receive", "None");
  auto e = ResolveCapabilities(R"({"Video":{"MaxResolution":"None"}})", "Capabilities", &v);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 400);
  EXPECT_NE(e->message.find("Capabilities.Video"), std::string::npos);
  Capabilities c = Caps("SendReceive", "SendReceive", "Send");
  EXPECT_TRUE(ResolveCapabilities(R"({"Content":{"MaxResolution":"None"}})", "Capabilities", &c));
  Capabilities fine = Caps("Send", "SendReceive", "None");
  EXPECT_FALSE(
      ResolveCapabilities(R"({"Content":{"MaxResolution":"None"}})", "Capabilities", &fine));
}

TEST(CapabilitiesTest, ReceivingContentNeedsReceivingVideo) {
  for (const char* content : {"Receive", "SendReceive"}) {
    for (const char* video : {"None", "Send"}) {
      Capabilities c = Caps("SendReceive", video, content);
      auto e = ResolveCapabilities("", "Capabilities", &c);
      ASSERT_TRUE(e) << video << " " << content;
      EXPECT_NE(e->message.find("Content"), std::string::npos);
    }
  }
  Capabilities send_only = Caps("None", "None", "Send");  // sharing without watching: allowed
  EXPECT_FALSE(ResolveCapabilities("", "Capabilities", &send_only));
  Capabilities video_only = Caps("None", "Receive", "None");
  EXPECT_FALSE(ResolveCapabilities("", "Capabilities", &video_only));
}

TEST(CapabilitiesTest, SendAndReceiveModes) {
  EXPECT_TRUE(CanSend("Send") && CanSend("SendReceive") && !CanSend("Receive") && !CanSend("None"));
  EXPECT_TRUE(CanReceive("Receive") && CanReceive("SendReceive") && !CanReceive("Send") &&
              !CanReceive("None"));
}

}  // namespace
}  // namespace sfu::api

// DCEP (RFC 8832): parse / build round trip, the exact wire bytes, and malformed messages.
#include "transport/wire/dcep.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sfu::wire {
namespace {

// DATA_CHANNEL_OPEN as Chrome sends it for createDataChannel("chat", {protocol: "p"}).
const std::vector<uint8_t> kChromeOpen = {
    0x03, 0x00, 0x00, 0x00,  // OPEN, reliable, priority 0
    0x00, 0x00, 0x00, 0x00,  // reliability parameter
    0x00, 0x04, 0x00, 0x01,  // label length 4, protocol length 1
    'c',  'h',  'a',  't',  'p'};

TEST(DcepTest, ParsesOpen) {
  auto open = ParseDcepOpen(kChromeOpen);
  ASSERT_TRUE(open);
  EXPECT_EQ(open->channel_type, DcepChannelType::kReliable);
  EXPECT_TRUE(open->ordered());
  EXPECT_EQ(open->priority, 0);
  EXPECT_EQ(open->reliability_parameter, 0u);
  EXPECT_EQ(open->label, "chat");
  EXPECT_EQ(open->protocol, "p");
  EXPECT_EQ(PeekDcepType(kChromeOpen), DcepMessageType::kOpen);
}

TEST(DcepTest, BuildsTheExactWireBytes) {
  DcepOpen open;
  open.label = "chat";
  open.protocol = "p";
  EXPECT_EQ(BuildDcepOpen(open), kChromeOpen);
  EXPECT_EQ(BuildDcepAck(), (std::vector<uint8_t>{0x02}));
}

TEST(DcepTest, OpenRoundTripsEveryField) {
  for (DcepChannelType type :
       {DcepChannelType::kReliable, DcepChannelType::kReliableUnordered,
        DcepChannelType::kPartialReliableRexmit, DcepChannelType::kPartialReliableRexmitUnordered,
        DcepChannelType::kPartialReliableTimed, DcepChannelType::kPartialReliableTimedUnordered}) {
    DcepOpen open;
    open.channel_type = type;
    open.priority = 512;
    open.reliability_parameter = 0xA1B2C3D4;
    open.label = std::string("l\0bel", 5);  // labels are bytes, NUL included
    open.protocol = "chime-data";
    const auto bytes = BuildDcepOpen(open);
    ASSERT_EQ(bytes.size(), kDcepOpenHeaderSize + 5 + 10);
    auto parsed = ParseDcepOpen(bytes);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, open);
    EXPECT_EQ(parsed->ordered(), (static_cast<uint8_t>(type) & 0x80) == 0);
  }
}

TEST(DcepTest, EmptyLabelAndProtocol) {
  DcepOpen open;
  const auto bytes = BuildDcepOpen(open);
  ASSERT_EQ(bytes.size(), kDcepOpenHeaderSize);
  auto parsed = ParseDcepOpen(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->label.empty());
  EXPECT_TRUE(parsed->protocol.empty());
}

TEST(DcepTest, AckParses) {
  const std::vector<uint8_t> ack = {0x02};
  EXPECT_TRUE(ParseDcepAck(ack));
  EXPECT_EQ(PeekDcepType(ack), DcepMessageType::kAck);
  EXPECT_FALSE(ParseDcepOpen(ack));
  EXPECT_FALSE(ParseDcepAck(kChromeOpen));
  EXPECT_FALSE(ParseDcepAck({}));
}

TEST(DcepTest, RejectsLabelLengthPastTheEnd) {
  auto bytes = kChromeOpen;
  bytes[9] = 5;  // label length 5 + protocol 1 > 5 bytes present
  EXPECT_FALSE(ParseDcepOpen(bytes));
  bytes = kChromeOpen;
  bytes[8] = 0xFF;  // label length 0xFF04
  EXPECT_FALSE(ParseDcepOpen(bytes));
}

TEST(DcepTest, RejectsProtocolLengthPastTheEnd) {
  auto bytes = kChromeOpen;
  bytes[11] = 2;
  EXPECT_FALSE(ParseDcepOpen(bytes));
}

TEST(DcepTest, RejectsTruncatedHeader) {
  for (size_t n = 0; n < kDcepOpenHeaderSize; ++n) {
    EXPECT_FALSE(ParseDcepOpen(std::span<const uint8_t>(kChromeOpen.data(), n))) << n;
  }
}

TEST(DcepTest, RejectsUnknownMessageType) {
  auto bytes = kChromeOpen;
  bytes[0] = 0x01;
  EXPECT_FALSE(ParseDcepOpen(bytes));
  EXPECT_FALSE(PeekDcepType(bytes));
  EXPECT_FALSE(ParseDcepAck(bytes));
  EXPECT_FALSE(PeekDcepType({}));
}

TEST(DcepTest, RejectsUnknownChannelType) {
  auto bytes = kChromeOpen;
  for (uint8_t t : {0x03, 0x7F, 0x83, 0xFF}) {
    bytes[1] = t;
    EXPECT_FALSE(ParseDcepOpen(bytes)) << int{t};
    EXPECT_FALSE(IsKnownDcepChannelType(t));
  }
}

TEST(DcepTest, IgnoresTrailingBytesLikeLibwebrtc) {
  auto bytes = kChromeOpen;
  bytes.push_back(0xAA);
  auto parsed = ParseDcepOpen(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->protocol, "p");
}

TEST(DcepTest, BuildRefusesOverlongLabel) {
  DcepOpen open;
  open.label.assign(0x10000, 'x');
  EXPECT_TRUE(BuildDcepOpen(open).empty());
  open.label.assign(0xFFFF, 'x');
  EXPECT_EQ(BuildDcepOpen(open).size(), kDcepOpenHeaderSize + 0xFFFF);
}

}  // namespace
}  // namespace sfu::wire

// EndpointDemuxer's drop accounting by packet kind (wire::Classify decides the kind): what no
// transport can take is counted under the right reason, never routed.
#include "transport/endpoint_demuxer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

namespace sfu::transport {
namespace {

uint64_t Drops(const TransportStats& s, DropReason r) {
  return s.drops[static_cast<size_t>(r)].load();
}

class EndpointDemuxerTest : public ::testing::Test {
 protected:
  void Feed(const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(),
              slot_.begin());  // in a receive slot, as the endpoint does
    demuxer_.OnDatagram(from_, slot_.data(), bytes.size(), slot_.size());
  }
  TransportStats stats_;
  EndpointDemuxer demuxer_{stats_};
  PeerAddress from_{};
  std::array<uint8_t, UdpEndpoint::kSlotSize> slot_{};
};

TEST_F(EndpointDemuxerTest, WhatNoTransportTakesIsCounted) {
  Feed({});               // an empty datagram
  Feed({0x10, 0, 0, 0});  // ZRTP
  Feed({0x40, 0, 0, 4});  // TURN channel data
  Feed({0x08, 0, 0, 0});  // a reserved first byte
  Feed({0xc0, 0, 0, 0});  // above the RTP range
  EXPECT_EQ(Drops(stats_, DropReason::kMalformed), 5u);
  // DTLS, RTP and RTCP from an address no valid check came from.
  Feed({0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  Feed({0x80, 111, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1});
  Feed({0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0});
  EXPECT_EQ(Drops(stats_, DropReason::kNoTransport), 3u);
  EXPECT_EQ(Drops(stats_, DropReason::kMalformed), 5u);
}

}  // namespace
}  // namespace sfu::transport

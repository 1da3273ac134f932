#include "mixer/listener_stream.h"

#include <gtest/gtest.h>

namespace sfu::mixer {
namespace {

// A listener moves between the shared mix and its own mix (and silence) at will: its RTP
// sequence and timestamps never notice.
TEST(ListenerStreamTest, ContinuousAcrossSourcesAndWraparound) {
  struct Step {
    uint64_t tick;
    uint16_t seq;
    uint32_t ts;
    bool marker;
  } steps[] = {
      {100, 65534, 0xfffffc40u, true},   // first packet (shared mix)
      {101, 65535, 0x00000000u, false},  // own mix: seq and ts wrap
      {102, 0, 960, false},              // back to shared
      {105, 1, 960 * 4, false},  // late ticks 103-104 skipped: time advances, seq does not jump
      {106, 2, 960 * 5, false},
  };
  ListenerStream s(65534, 0xfffffc40u);
  for (const Step& st : steps) {
    const auto h = s.Next(st.tick);
    EXPECT_EQ(h.seq, st.seq) << st.tick;
    EXPECT_EQ(h.timestamp, st.ts) << st.tick;
    EXPECT_EQ(h.marker, st.marker) << st.tick;
  }
}

}  // namespace
}  // namespace sfu::mixer

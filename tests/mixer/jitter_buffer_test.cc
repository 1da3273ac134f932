#include "mixer/jitter_buffer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sfu::mixer {
namespace {

using Kind = JitterBuffer::Kind;

// A script of events: "p<seq>" pushes packet seq (payload = its low byte), "r<seq>" pushes a RED
// copy, "t" pops one tick. Expected pop results: 'P<byte>' packet, 'F<byte>' FEC from packet,
// 'C' conceal, 'I' idle.
std::string RunScript(JitterBuffer& jb, const std::vector<std::string>& script) {
  std::string out;
  int64_t now = 0;
  for (const std::string& step : script) {
    if (step == "t") {
      now += 20;
      const auto f = jb.Pop();
      switch (f.kind) {
        case Kind::kIdle:
          out += "I ";
          break;
        case Kind::kConceal:
          out += "C ";
          break;
        case Kind::kPacket:
          out += (f.from_red ? "R" : "P") + std::to_string(f.payload[0]) + " ";
          break;
        case Kind::kFec:
          out += "F" + std::to_string(f.payload[0]) + " ";
          break;
      }
    } else {
      const uint16_t seq = static_cast<uint16_t>(std::stoul(step.substr(1)));
      const uint8_t b = static_cast<uint8_t>(seq & 0xff);
      jb.Push(seq, seq * 960u, std::span<const uint8_t>(&b, 1), 30, now, step[0] == 'r');
    }
  }
  return out;
}

struct Case {
  const char* name;
  std::vector<std::string> script;
  const char* expected;
};

class JitterBufferScripts : public ::testing::TestWithParam<Case> {};

TEST_P(JitterBufferScripts, Plays) {
  JitterBufferConfig c;
  c.idle_after_frames = 3;
  c.shrink_after_ticks = 3;
  JitterBuffer jb(c);
  EXPECT_EQ(RunScript(jb, GetParam().script), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    All, JitterBufferScripts,
    ::testing::Values(
        Case{"idle_before_anything", {"t", "t"}, "I I "},
        Case{"in_order", {"p1", "t", "p2", "t", "p3", "t"}, "P1 P2 P3 "},
        Case{"one_lost_next_buffered_uses_fec",
             {"p1", "t", "p3", "p4", "t", "t", "t"},
             "P1 F3 P3 P4 "},
        Case{"two_lost_conceal_then_fec",
             {"p1", "t", "p4", "p5", "t", "t", "t", "t"},
             "P1 C F4 P4 P5 "},
        Case{"underrun_waits_then_plays_late_packet", {"p1", "t", "t", "p2", "t"}, "P1 C P2 "},
        Case{"stopped_sender_goes_idle", {"p1", "t", "t", "t", "t", "t", "t"}, "P1 C C C I I "},
        Case{"restart_after_idle",
             {"p1", "t", "t", "t", "t", "t", "p9", "t", "p10", "t"},
             "P1 C C C I P9 P10 "},
        Case{"late_packet_dropped", {"p1", "t", "p3", "t", "p2", "t"}, "P1 F3 P3 "},
        Case{"reordered_within_buffer", {"p1", "p3", "p2", "t", "t", "t"}, "P1 P2 P3 "},
        Case{"duplicate_ignored", {"p1", "p1", "t", "p2", "p2", "t"}, "P1 P2 "},
        Case{"red_fills_a_hole", {"p1", "t", "p3", "r2", "t", "t"}, "P1 R2 P3 "},
        Case{"red_never_replaces_primary", {"p1", "r1", "t"}, "P1 "},
        Case{
            "wraparound", {"p65534", "t", "p65535", "t", "p0", "t", "p1", "t"}, "P254 P255 P0 P1 "},
        Case{"overfull_shrinks",
             {"p1", "p2", "p3", "p4", "p5", "p6", "t", "t", "t", "t"},
             "P1 P2 P4 P5 "}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JitterBufferTest, CountsWhatHappened) {
  JitterBuffer jb;
  const uint8_t b = 0;
  int64_t now = 0;
  auto push = [&](uint16_t s) { jb.Push(s, s * 960u, std::span<const uint8_t>(&b, 1), -1, now); };
  push(10);
  jb.Pop();
  push(12);
  push(12);
  jb.Pop();
  jb.Pop();
  push(5);
  const auto& s = jb.stats();
  EXPECT_EQ(s.packets, 4u);
  EXPECT_EQ(s.played, 2u);
  EXPECT_EQ(s.lost, 1u);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_EQ(s.late, 1u);
}

TEST(JitterBufferTest, TargetDelayFollowsJitter) {
  JitterBuffer jb;
  const uint8_t b = 0;
  for (uint16_t s = 0; s < 200; ++s)
    jb.Push(s, s * 960u, std::span<const uint8_t>(&b, 1), -1, s * 20);
  EXPECT_EQ(jb.target_delay_frames(), 1);  // steady arrivals: one frame
  JitterBuffer jittery;
  for (uint16_t s = 0; s < 200; ++s)
    jittery.Push(s, s * 960u, std::span<const uint8_t>(&b, 1), -1, s * 20 + (s % 2 ? 30 : 0));
  EXPECT_GE(jittery.target_delay_frames(), 3);
  EXPECT_LE(jittery.target_delay_frames(), 5);  // capped at 100 ms
}

TEST(JitterBufferTest, AJumpBeyondCapacityRestartsTheStream) {
  JitterBuffer jb;
  const uint8_t b = 7;
  jb.Push(100, 0, std::span<const uint8_t>(&b, 1), -1, 0);
  EXPECT_EQ(jb.Pop().kind, Kind::kPacket);
  jb.Push(5000, 4900u * 960u, std::span<const uint8_t>(&b, 1), -1, 20);
  EXPECT_EQ(jb.stats().restarts, 1u);
  EXPECT_EQ(jb.Pop().kind, Kind::kPacket);
}

// After a burst of jitter (packets arriving up to 100 ms late for 5 s) the buffer has grown;
// once arrivals are regular again it must shrink back to where it was before the burst within a
// few seconds, leaving no standing extra frame (docs/DESIGN.md, "Audio mixer").
TEST(JitterBufferTest, ShrinksBackAfterAJitterBurst) {
  JitterBuffer jb;
  const uint8_t b = 0;
  uint16_t seq = 0;
  int64_t now = 0;
  std::vector<std::pair<int64_t, uint16_t>> in_flight;  // (arrival, seq)
  uint32_t lcg = 12345;
  auto run_ticks = [&](int ticks, int jitter_ms) {
    for (int t = 0; t < ticks; ++t) {
      lcg = lcg * 1103515245u + 12345u;
      const int extra =
          jitter_ms ? static_cast<int>((lcg >> 16) % static_cast<uint32_t>(jitter_ms + 1)) : 0;
      in_flight.push_back({now + extra, seq++});
      for (auto it = in_flight.begin(); it != in_flight.end();) {
        if (it->first <= now) {
          jb.Push(it->second, it->second * 960u, std::span<const uint8_t>(&b, 1), 30, now);
          it = in_flight.erase(it);
        } else {
          ++it;
        }
      }
      jb.Pop();
      now += 20;
    }
  };
  run_ticks(250, 0);
  const int before = jb.buffered_frames();
  run_ticks(250, 100);  // 5 s of jitter
  EXPECT_GT(jb.buffered_frames(), before + 1) << "the burst grew the buffer";
  run_ticks(250, 0);  // 5 s of regular arrivals
  EXPECT_LE(jb.buffered_frames(), before)
      << "back to the depth before the burst; target " << jb.target_delay_frames();
  EXPECT_GT(jb.stats().dropped_to_shrink, 0u);
}

}  // namespace
}  // namespace sfu::mixer

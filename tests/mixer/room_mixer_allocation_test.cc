// RoomMixer's promise (mixer/room_mixer.h): no allocation per tick once warmed up. This binary
// replaces the global operator new to count the allocations made inside Tick and the reports.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "codec/tone.h"
#include "mixer/room_mixer.h"

// GCC inlines the replacements and then sees free() on what it took for operator new's memory;
// here they are one malloc/free pair.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed))
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sfu::mixer {
namespace {

TEST(RoomMixerAllocationTest, TicksAndReportsDoNotAllocateOnceWarmedUp) {
  constexpr int kPeople = 6;
  constexpr int kWarmUpTicks = 600;
  constexpr int kMeasuredTicks = 1500;
  RoomMixer mixer;  // K = 3
  struct Sender {
    std::unique_ptr<codec::SineGenerator> sine;
    std::unique_ptr<codec::OpusFrameEncoder> enc;
    uint16_t seq = 0;
    uint32_t ts = 0;
  };
  std::vector<Sender> people(kPeople);
  for (int i = 0; i < kPeople; ++i) {
    people[i].sine = std::make_unique<codec::SineGenerator>(300.0 + 100 * i, 0.2);
    people[i].enc = std::make_unique<codec::OpusFrameEncoder>(codec::EncoderSettings{});
    mixer.AddParticipant(static_cast<uint32_t>(i + 1));
  }
  std::vector<int16_t> pcm(codec::kOpusFrameSamples);
  std::vector<uint8_t> packet(codec::kMaxOpusPacket);
  int64_t allocations_in_ticks = 0;
  int64_t now = 0;
  for (int tick = 0; tick < kWarmUpTicks + kMeasuredTicks; ++tick, now += 20) {
    for (int i = 0; i < kPeople; ++i) {
      Sender& p = people[i];
      p.sine->Fill(pcm);
      const size_t n = p.enc->Encode(pcm, packet);
      // Levels rotate every half second so talkers come, go and are held; one is silent.
      const int level = ((tick / 25 + i) % kPeople) * 12 + 5;
      // A deterministic loss pattern (FEC and concealment), the same every 204 ticks.
      const bool lost = i == 2 && tick % 17 == 0;
      if (!lost)
        mixer.PushOpus(static_cast<uint32_t>(i + 1), p.seq, p.ts, std::span(packet.data(), n),
                       level, now);
      ++p.seq;
      p.ts += codec::kOpusFrameSamples;
    }
    if (tick == 700) mixer.SetMuted(4, true);
    if (tick == 900) mixer.SetMuted(4, false);
    const bool measure = tick >= kWarmUpTicks;
    const int64_t before = g_allocations.load();
    g_counting.store(measure);
    mixer.Tick(now);
    if (tick % 12 == 0) {  // MeetingAudio reports every 250 ms
      mixer.TakeLevels();
      mixer.TakeDelaySamples();
    }
    g_counting.store(false);
    allocations_in_ticks += g_allocations.load() - before;
  }
  EXPECT_EQ(allocations_in_ticks, 0);
  EXPECT_GT(mixer.stats().encodes, 0u);
  EXPECT_GT(mixer.stats().decoder_resets, 0u);  // talkers did change
}

}  // namespace
}  // namespace sfu::mixer

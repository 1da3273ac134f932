// Mouth-to-ear delay added by the server's audio path (jitter buffer, waiting for the mix tick,
// decode, mix, encode) measured end to end on loopback: a talker (loadtest AudioParticipant:
// real signaling, ICE/DTLS/SRTP, Opus) switches its tone on for 300 ms every second; a listener
// notes when the tone first appears in what it decodes. Delay = arrival of the first decoded
// frame carrying the tone - sending of the first uplink packet carrying it, on one steady clock.
// It includes Opus's own algorithmic delay twice (2 x 6.5 ms, client encode and server encode)
// and loopback; it excludes the capture and playout buffers of a real client.
//   mixer_delay_bench [bursts] [listeners]
#include <algorithm>
#include <cstdio>
#include <thread>

#include "base/log.h"
#include "bench/inproc_server.h"
#include "loadtest/audio_participant.h"

using namespace sfu;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  const int bursts = argc > 1 ? std::atoi(argv[1]) : 30;
  const int listeners = argc > 2 ? std::atoi(argv[2]) : 3;
  base::SetLogLevel(base::LogLevel::kWarn);
  bench::InprocServer server({});
  std::string error;
  if (!server.Start(&error)) {
    std::fprintf(stderr, "server: %s\n", error.c_str());
    return 1;
  }
  auto client_dtls = transport::DtlsContext::Create(&error);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  const std::string meeting = server.CreateMeeting();
  std::vector<std::unique_ptr<loadtest::AudioParticipant>> people;
  for (int i = 0; i <= listeners; ++i) {
    loadtest::AudioParticipantConfig c;
    c.port = server.port();
    c.meeting_id = meeting;
    c.join_token = server.CreateAttendee(meeting, "p" + std::to_string(i));
    c.tone_hz = 700;
    c.voice_like = false;
    c.amplitude = i == 0 ? 0.2 : 0.0;
    c.watch_hz = {700};
    people.push_back(std::make_unique<loadtest::AudioParticipant>(io, *client_dtls, c));
    if (!people.back()->Start(&error)) {
      std::fprintf(stderr, "participant %d: %s\n", i, error.c_str());
      return 1;
    }
  }
  loadtest::AudioParticipant& talker = *people[0];
  talker.SetTalking(false);
  std::this_thread::sleep_for(1s);
  std::vector<int64_t> starts;
  for (int b = 0; b < bursts; ++b) {
    talker.SetTalking(true);
    std::this_thread::sleep_for(300ms);
    starts.push_back(talker.talk_started_us());
    talker.SetTalking(false);
    std::this_thread::sleep_for(700ms);
  }
  std::vector<double> delays_ms;
  for (int l = 1; l <= listeners; ++l) {
    const auto r = people[static_cast<size_t>(l)]->Snapshot();
    for (int64_t start : starts) {
      for (size_t i = 0; i < r.frame_db.size(); ++i) {
        if (r.frame_arrival_us[i] < start) continue;
        if (r.frame_arrival_us[i] > start + 500'000) break;
        if (r.frame_db[i][0] > -30) {
          delays_ms.push_back(static_cast<double>(r.frame_arrival_us[i] - start) / 1000.0);
          break;
        }
      }
    }
  }
  for (auto& p : people) p->Stop();
  work.reset();
  io_thread.join();
  if (delays_ms.empty()) {
    std::fprintf(stderr, "no tone onsets detected\n");
    return 1;
  }
  std::sort(delays_ms.begin(), delays_ms.end());
  auto pct = [&](double p) {
    return delays_ms[std::min(delays_ms.size() - 1, static_cast<size_t>(p * delays_ms.size()))];
  };
  std::printf(
      "mouth-to-ear through the server (talker send -> listener decode), %zu onsets (%d bursts x "
      "%d listeners):\n"
      "  p50 %.1f ms, p95 %.1f ms, min %.1f ms, max %.1f ms\n",
      delays_ms.size(), bursts, listeners, pct(0.5), pct(0.95), delays_ms.front(),
      delays_ms.back());
  return 0;
}

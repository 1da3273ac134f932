// Whatever senders put in their audio packets - any sequence numbers, timestamps, levels, Opus
// or RED payloads, in any order, with joins, leaves and mutes in between - the mixer neither
// crashes nor stops giving every participant one valid-sized payload per tick.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "mixer/room_mixer.h"

namespace {

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t Byte() { return n ? (--n, *p++) : 0; }
  uint16_t U16() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  uint32_t U32() { return static_cast<uint32_t>(U16()) << 16 | U16(); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sfu::mixer::RoomMixerConfig cfg;
  cfg.max_talkers = 2;
  cfg.encoder.complexity = 0;  // keep iterations fast
  sfu::mixer::RoomMixer mixer(cfg);
  for (uint32_t id = 1; id <= 3; ++id) mixer.AddParticipant(id);
  Reader r{data, size};
  int64_t now = 0;
  int ticks = 0;
  while (r.n > 0 && ticks < 64) {
    const uint8_t op = r.Byte();
    const uint32_t id = 1 + op % 4;  // id 4 is unknown until added
    switch ((op >> 2) % 6) {
      case 0:
      case 1: {
        const uint16_t seq = r.U16();
        const uint32_t ts = r.U32();
        const int level = static_cast<int>(r.Byte()) - 1;  // -1..254 (out of range on purpose)
        const size_t len = std::min<size_t>(r.Byte(), r.n);
        if ((op >> 2) % 6 == 0) {
          mixer.PushOpus(id, seq, ts, std::span<const uint8_t>(r.p, len), level, now);
        } else {
          mixer.PushRed(id, seq, ts, std::span<const uint8_t>(r.p, len), 111, level, now);
        }
        r.p += len;
        r.n -= len;
        break;
      }
      case 2:
      case 3: {
        now += 20;
        ++ticks;
        size_t outputs = 0;
        for (const auto& o : mixer.Tick(now)) {
          ++outputs;
          if (o.opus.empty() || o.opus.size() > 1275) std::abort();
        }
        if (outputs != mixer.size()) std::abort();
        break;
      }
      case 4:
        mixer.SetMuted(id, op & 0x80);
        break;
      case 5:
        if (mixer.Has(id))
          mixer.RemoveParticipant(id);
        else
          mixer.AddParticipant(id);
        break;
    }
  }
  mixer.TakeLevels();
  mixer.TakeDelaySamples();
  return 0;
}

#include "codec/audio_level.h"

#include <cmath>

namespace sfu::codec {

int LevelDbov(std::span<const int16_t> pcm) {
  if (pcm.empty()) return 127;
  double energy = 0;
  for (int16_t s : pcm) energy += static_cast<double>(s) * s;
  const double rms = std::sqrt(energy / static_cast<double>(pcm.size()));
  if (rms < 1.0) return 127;
  // RFC 6464: 0 dBov is a full-scale square wave (rms 32767).
  const double dbov = 20.0 * std::log10(rms / 32767.0);
  const int level = static_cast<int>(std::lround(-dbov));
  return level < 0 ? 0 : (level > 127 ? 127 : level);
}

}  // namespace sfu::codec

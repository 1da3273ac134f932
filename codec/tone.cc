#include "codec/tone.h"

#include <cmath>
#include <numbers>

namespace sfu::codec {

SineGenerator::SineGenerator(double f, double amplitude, int sample_rate)
    : step_(2.0 * std::numbers::pi * f / sample_rate), amplitude_(amplitude) {}

void SineGenerator::Fill(std::span<int16_t> out) {
  for (int16_t& s : out) {
    s = static_cast<int16_t>(std::lround(std::sin(phase_) * amplitude_ * 32767.0));
    phase_ += step_;
    if (phase_ > 2.0 * std::numbers::pi) phase_ -= 2.0 * std::numbers::pi;
  }
}

VoiceLikeTone::VoiceLikeTone(double f, double tone_amplitude, double noise_amplitude, uint32_t seed,
                             int sample_rate)
    : sine_(f, tone_amplitude, sample_rate),
      noise_amplitude_(noise_amplitude),
      rng_(seed ? seed : 1),
      syllable_step_(2.0 * std::numbers::pi * 4.0 / sample_rate) {}

void VoiceLikeTone::Fill(std::span<int16_t> out) {
  sine_.Fill(out);
  for (int16_t& s : out) {
    rng_ = rng_ * 1664525u + 1013904223u;  // LCG: deterministic, cheap
    const double noise = (static_cast<double>(rng_ >> 8) / 8388608.0) - 1.0;  // -1..1
    const double envelope = 0.5 + 0.5 * std::sin(syllable_phase_);
    syllable_phase_ += syllable_step_;
    if (syllable_phase_ > 2.0 * std::numbers::pi) syllable_phase_ -= 2.0 * std::numbers::pi;
    const double v = static_cast<double>(s) + noise * noise_amplitude_ * envelope * 32767.0;
    s = static_cast<int16_t>(std::lround(v < -32768.0 ? -32768.0 : (v > 32767.0 ? 32767.0 : v)));
  }
}

double GoertzelDb(std::span<const int16_t> pcm, double f, int sample_rate) {
  if (pcm.size() < 2) return -200;
  // Hann-windowed, so a strong tone a few bins away does not leak into this one (a rectangular
  // window's sidelobes are only ~20 dB down three bins away; Hann's are below -60 dB).
  const double w = 2.0 * std::numbers::pi * f / sample_rate;
  const double coeff = 2.0 * std::cos(w);
  const double n = static_cast<double>(pcm.size());
  const double wstep = 2.0 * std::numbers::pi / (n - 1);
  double s1 = 0, s2 = 0;
  for (size_t i = 0; i < pcm.size(); ++i) {
    const double window = 0.5 - 0.5 * std::cos(wstep * static_cast<double>(i));
    const double s0 = window * static_cast<double>(pcm[i]) / 32768.0 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // A unit sine on the bin gives amplitude N/2 times the window's mean (1/2).
  const double norm = power / ((n / 4.0) * (n / 4.0));
  return norm > 1e-20 ? 10.0 * std::log10(norm) : -200.0;
}

}  // namespace sfu::codec

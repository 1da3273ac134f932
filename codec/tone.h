#pragma once
// Test signals and their detection: sine generation (phase kept across frames) and the
// Goertzel power of one frequency in a block of PCM, used by the reference client to check
// mix-minus (which talkers a listener hears) and by tests.
#include <cstdint>
#include <span>

namespace sfu::codec {

class SineGenerator {
 public:
  SineGenerator(double frequency_hz, double amplitude /* 0..1 of full scale */,
                int sample_rate = 48000);
  void Fill(std::span<int16_t> out);
  void set_amplitude(double a) { amplitude_ = a; }

 private:
  double step_;
  double phase_ = 0;
  double amplitude_;
};

// A tone the Opus encoder treats as speech: a steady sine plus noise bursts at a syllable rate
// (4 Hz). Opus's voice-activity detector adapts to a pure tone within about 0.6 s and then stops
// sending in-band FEC (LBRR), so loss tests need a signal that keeps it active. The noise is
// spread over the whole band: in a 20 ms Goertzel window it stays below -55 dB at any one
// frequency.
class VoiceLikeTone {
 public:
  VoiceLikeTone(double frequency_hz, double tone_amplitude, double noise_amplitude = 0.08,
                uint32_t seed = 1, int sample_rate = 48000);
  void Fill(std::span<int16_t> out);

 private:
  SineGenerator sine_;
  double noise_amplitude_;
  uint32_t rng_;
  double syllable_step_;
  double syllable_phase_ = 0;
};

// Power of `frequency_hz` in pcm (Hann-windowed Goertzel), normalised so a full-scale sine
// exactly on the frequency gives about 0 dB; returned in dB (-200 for silence).
double GoertzelDb(std::span<const int16_t> pcm, double frequency_hz, int sample_rate = 48000);

}  // namespace sfu::codec

#pragma once
// A simulated attendee with audio, as the reference client and tests use it: joins over the
// Chime signaling protocol (JOIN, SUBSCRIBE with an Opus offer), connects media (ICE, DTLS,
// SRTP through ClientTransport), sends a tone as 20 ms Opus packets with RFC 6464 levels (plain
// or RED-wrapped, with optional user-space uplink loss), and decodes the mixed audio it receives,
// measuring per 20 ms frame the level of the frequencies it was asked to watch, and checking the
// stream's RTP continuity.
// Threads: Start()/Stop() from the caller's thread (blocking signaling); media runs on the given
// io_context's thread. Results are read after Stop() (or under the internal lock by Snapshot()).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace sfu::transport {
class DtlsContext;
}

namespace sfu::loadtest {

struct AudioParticipantConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string meeting_id;
  std::string join_token;
  double tone_hz = 440;
  double amplitude = 0.2;  // of full scale; 0 sends silence
  bool voice_like = true;  // tone plus syllabic noise (keeps Opus FEC on)
  bool red = false;        // offer RED and send distance-2 redundancy
  double uplink_loss = 0;  // fraction of uplink packets dropped before sending
  uint32_t seed = 1;
  std::vector<double> watch_hz;  // downlink frequencies to measure per frame
  bool muted = false;            // SUBSCRIBE audio_muted (the tone is still sent, like a client)
};

struct AudioParticipantResult {
  uint64_t packets_sent = 0;
  uint64_t packets_dropped = 0;         // by the user-space uplink loss
  int longest_drop_run = 0;             // most consecutive packets dropped
  std::vector<int64_t> send_stalls_us;  // when a 20 ms send tick ran more than 15 ms late
  uint64_t packets_received = 0;        // downlink audio
  uint64_t payload_bytes_received = 0;
  uint64_t seq_gaps = 0;         // downlink sequence numbers skipped
  uint64_t timestamp_jumps = 0;  // downlink timestamps not advancing by 960 per packet
  uint64_t undecodable = 0;
  uint32_t downlink_ssrc = 0;
  uint64_t ssrc_changes = 0;
  // frame_db[i][f]: level in dB of watch_hz[f] in received frame i (Goertzel, 0 dB = full scale).
  std::vector<std::vector<float>> frame_db;
  std::vector<int64_t> frame_arrival_us;  // steady clock, per received frame
};

class AudioParticipant {
 public:
  AudioParticipant(boost::asio::io_context& io, const transport::DtlsContext& dtls,
                   AudioParticipantConfig config);
  ~AudioParticipant();

  // Joins, subscribes and waits (up to timeout_ms) for media to connect; sending starts then.
  bool Start(std::string* error, int timeout_ms = 5000);
  // Stops sending and closes media and signaling.
  void Stop();
  // Copies the results so far.
  AudioParticipantResult Snapshot() const;
  // Sending: switch the tone on/off (the stream keeps flowing with silence).
  void SetTalking(bool talking);
  // Steady-clock microseconds at which the first packet carrying the tone was last sent after
  // it was switched on (a marker for mouth-to-ear delay).
  int64_t talk_started_us() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sfu::loadtest

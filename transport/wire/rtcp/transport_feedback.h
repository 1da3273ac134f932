#pragma once
// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1): per-packet arrival status and times for the transport-wide sequence numbers that the
// media sender put in its RTP header extension.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|  FMT=15 |  PT=RTPFB=205 |           length              |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                     SSRC of packet sender                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                      SSRC of media source                     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |      base sequence number     |      packet status count      |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                 reference time                | fb pkt. count |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |          packet chunk         |         packet chunk          |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   .                                                               .
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |         packet chunk          |  recv delta   |  recv delta   |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   .                                                               .
//   |           recv delta          |  recv delta   | zero padding  |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Reference time: signed 24 bits, in 64 ms units. Status symbols (§3.1.1): 0 not received,
// 1 received with a small delta (1 byte, unsigned, 250 µs units), 2 received with a large or
// negative delta (2 bytes, signed, 250 µs units), 3 reserved (rejected). Chunks (16 bits):
//
//   run length (§3.1.3)           |0| S |       run length (13)       |
//   status vector (§3.1.4), S=0   |1|0|   14 symbols of 1 bit         |  (0 or 1 only)
//   status vector (§3.1.4), S=1   |1|1|   7 symbols of 2 bits         |
//
// Symbols are listed first-packet-first from the most significant bit. A chunk may describe
// more symbols than the status count; the extra ones are ignored. Each received packet's delta
// is relative to the previous received packet, the first one to the reference time.
//
// Storage: after Parse, a borrowed view of the packet (no allocation); after SetBase/Add... or
// Build, owned vectors (allocates; the sending side).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

class TransportFeedback {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeRtpfb;
  static constexpr uint8_t kFeedbackMessageType = 15;
  static constexpr int64_t kDeltaTickUs = 250;
  static constexpr int64_t kReferenceTimeTickUs = 64000;
  static constexpr size_t kMaxStatusCount = 0xFFFF;

  // One packet of the feedback. delta_us is a multiple of 250 for received packets, 0 otherwise.
  struct PacketResult {
    uint16_t sequence_number = 0;
    bool received = false;
    int64_t delta_us = 0;
    bool operator==(const PacketResult&) const = default;
  };

  // Walks the packets of a parsed feedback (borrowed view; see packets()).
  class PacketIterator {
   public:
    PacketIterator() = default;
    std::optional<PacketResult> Next();

   private:
    friend class TransportFeedback;
    std::span<const uint8_t> chunks_;  // chunk bytes, then delta bytes
    size_t chunk_pos_ = 0;
    size_t chunk_end_ = 0;  // chunk bytes end (deltas start) here
    size_t delta_pos_ = 0;
    uint16_t sequence_ = 0;
    size_t remaining_ = 0;  // packets still to report
    uint16_t chunk_ = 0;
    size_t chunk_symbols_ = 0;  // symbols the current chunk holds
    size_t chunk_index_ = 0;    // next symbol within it
  };

  // False unless RTPFB/FMT 15, status count >= 1, every chunk and delta the count needs fits,
  // and no needed symbol is the reserved value 3.
  bool Parse(const CommonHeader& header);

  uint32_t sender_ssrc() const { return sender_ssrc_; }
  uint32_t media_ssrc() const { return media_ssrc_; }
  uint16_t base_sequence() const { return base_sequence_; }
  uint16_t packet_status_count() const { return status_count_; }
  int32_t reference_time() const { return reference_time_; }  // 64 ms units, sign-extended
  int64_t reference_time_us() const { return int64_t{reference_time_} * kReferenceTimeTickUs; }
  uint8_t feedback_packet_count() const { return feedback_packet_count_; }

  // Calls f(const PacketResult&) for each of the packet_status_count() packets, in order.
  template <typename F>
  void ForEachPacket(F&& f) const {
    if (owned_) {
      for (size_t i = 0; i < symbols_.size(); ++i) f(OwnedPacket(i));
      return;
    }
    PacketIterator it = packets();
    while (auto r = it.Next()) f(*r);
  }
  // Iterator over a parsed feedback; empty for a built one (use ForEachPacket or GetPackets).
  PacketIterator packets() const;
  // All packets, collected (allocates).
  std::vector<PacketResult> GetPackets() const;

  void SetSenderSsrc(uint32_t ssrc) { sender_ssrc_ = ssrc; }
  void SetMediaSsrc(uint32_t ssrc) { media_ssrc_ = ssrc; }
  void SetFeedbackPacketCount(uint8_t count) { feedback_packet_count_ = count; }

  // Incremental building, as a receiver does. SetBase starts a new feedback: the reference
  // time is reference_time_us floored to 64 ms (wrapped to 24 bits on the wire), and is the
  // origin of the first packet's delta. AddReceivedPacket appends sequence_number (packets
  // skipped since the previous one are reported lost); false (nothing added) if it is not
  // after the previous one, the feedback would exceed 65535 packets, or the delta since the
  // previous received packet (rounded to 250 µs) does not fit 16 signed bits.
  void SetBase(uint16_t base_sequence, int64_t reference_time_us);
  bool AddReceivedPacket(uint16_t sequence_number, int64_t arrival_time_us);

  // Builds from a whole list: packets[i].sequence_number must be base_sequence + i, 1..65535
  // packets, received deltas rounded to 250 µs must fit 16 signed bits. reference_time is the
  // wire value (64 ms units, low 24 bits used). False (and nothing changed) otherwise.
  bool Build(uint16_t base_sequence, int32_t reference_time, uint8_t feedback_packet_count,
             std::span<const PacketResult> packets);

  size_t BlockLength() const;
  // 0 also when the feedback holds no packets.
  size_t Create(std::span<uint8_t> out) const;

 private:
  PacketResult OwnedPacket(size_t index) const {
    return PacketResult{static_cast<uint16_t>(base_sequence_ + index), symbols_[index] != 0,
                        symbols_[index] != 0 ? deltas_[index] * kDeltaTickUs : 0};
  }
  size_t EncodedFciSize() const;  // chunks + deltas, before padding

  uint32_t sender_ssrc_ = 0;
  uint32_t media_ssrc_ = 0;
  uint16_t base_sequence_ = 0;
  uint16_t status_count_ = 0;
  int32_t reference_time_ = 0;
  uint8_t feedback_packet_count_ = 0;

  bool owned_ = false;
  std::span<const uint8_t> parsed_chunks_;  // borrowed: chunks then deltas (exact bytes)
  size_t parsed_chunk_bytes_ = 0;
  size_t parsed_delta_bytes_ = 0;
  std::vector<uint8_t> symbols_;   // owned: one symbol (0, 1, 2) per packet
  std::vector<int16_t> deltas_;    // owned: one delta in 250 µs ticks per packet (0 if lost)
  int64_t last_timestamp_us_ = 0;  // incremental building: time the next delta is taken from
};

// Chunk encoding, exposed for tests: encodes symbols (each 0, 1 or 2) into 16-bit chunks at
// out (may be null to only count) and returns the number of chunks.
size_t EncodeTwccChunks(std::span<const uint8_t> symbols, uint16_t* out);

}  // namespace sfu::wire::rtcp

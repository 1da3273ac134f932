#include "transport/wire/rtcp/transport_feedback.h"

#include <algorithm>
#include <cstring>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {
namespace {

constexpr size_t kFixedFciSize = 8;  // base seq, status count, reference time, fb pkt count
constexpr size_t kRunLengthCapacity = 0x1FFF;

// --- Chunk decoding --------------------------------------------------------------------------

size_t ChunkSymbolCount(uint16_t chunk) {
  if ((chunk & 0x8000) == 0) return chunk & 0x1FFF;  // run length
  return (chunk & 0x4000) ? 7 : 14;                  // 2-bit / 1-bit status vector
}

uint8_t ChunkSymbol(uint16_t chunk, size_t index) {
  if ((chunk & 0x8000) == 0) return (chunk >> 13) & 0x3;
  if (chunk & 0x4000) return (chunk >> (12 - 2 * index)) & 0x3;
  return (chunk >> (13 - index)) & 0x1;
}

// Walks the chunks needed for `count` packets. On success, sets the bytes the chunks and the
// deltas take. A symbol's value is also its delta's size in bytes (0, 1 or 2).
bool ScanChunks(std::span<const uint8_t> area, size_t count, size_t* chunk_bytes,
                size_t* delta_bytes) {
  size_t pos = 0;
  size_t deltas = 0;
  while (count > 0) {
    if (area.size() - pos < 2) return false;
    const uint16_t chunk = ReadBE16(area.data() + pos);
    pos += 2;
    const size_t take = std::min(ChunkSymbolCount(chunk), count);
    if ((chunk & 0x8000) == 0) {
      const uint8_t s = ChunkSymbol(chunk, 0);
      if (s == 3 && take > 0) return false;
      deltas += take * s;
    } else {
      for (size_t k = 0; k < take; ++k) {
        const uint8_t s = ChunkSymbol(chunk, k);
        if (s == 3) return false;
        deltas += s;
      }
    }
    count -= take;
  }
  if (area.size() - pos < deltas) return false;
  *chunk_bytes = pos;
  *delta_bytes = deltas;
  return true;
}

// --- Chunk encoding --------------------------------------------------------------------------

size_t RunLength(std::span<const uint8_t> symbols, size_t start) {
  size_t n = 1;
  while (start + n < symbols.size() && n < kRunLengthCapacity &&
         symbols[start + n] == symbols[start])
    ++n;
  return n;
}

// Greedy: a run that finishes the list or covers a whole 1-bit vector goes as a run-length
// chunk; otherwise a 1-bit vector if the next 14 symbols allow, a run if it beats a 2-bit
// vector, else a 2-bit vector.
template <typename Emit>
size_t EncodeChunks(std::span<const uint8_t> symbols, Emit&& emit) {
  size_t chunks = 0;
  size_t i = 0;
  while (i < symbols.size()) {
    const size_t remaining = symbols.size() - i;
    const size_t run = RunLength(symbols, i);
    const size_t n14 = std::min<size_t>(14, remaining);
    const bool one_bit_ok = std::all_of(symbols.begin() + i, symbols.begin() + i + n14,
                                        [](uint8_t s) { return s <= 1; });
    uint16_t chunk;
    size_t used;
    if (run == remaining || run >= 14 || (!one_bit_ok && run >= 7)) {
      chunk = static_cast<uint16_t>((symbols[i] << 13) | run);
      used = run;
    } else if (one_bit_ok) {
      chunk = 0x8000;
      for (size_t k = 0; k < n14; ++k)
        chunk = static_cast<uint16_t>(chunk | (symbols[i + k] << (13 - k)));
      used = n14;
    } else {
      const size_t n7 = std::min<size_t>(7, remaining);
      chunk = 0xC000;
      for (size_t k = 0; k < n7; ++k)
        chunk = static_cast<uint16_t>(chunk | (symbols[i + k] << (12 - 2 * k)));
      used = n7;
    }
    emit(chunk);
    ++chunks;
    i += used;
  }
  return chunks;
}

int32_t SignExtend24(uint32_t v) {
  v &= 0xFFFFFF;
  return (v & 0x800000u) ? static_cast<int32_t>(v | 0xFF000000u) : static_cast<int32_t>(v);
}

// Nearest 250 µs tick, halves away from zero.
int64_t ToTicks(int64_t delta_us) {
  constexpr int64_t kTick = TransportFeedback::kDeltaTickUs;
  return delta_us >= 0 ? (delta_us + kTick / 2) / kTick : -((-delta_us + kTick / 2) / kTick);
}

bool FitsDelta(int64_t ticks) { return ticks >= INT16_MIN && ticks <= INT16_MAX; }
uint8_t SymbolFor(int64_t ticks) { return (ticks >= 0 && ticks <= 0xFF) ? 1 : 2; }

}  // namespace

size_t EncodeTwccChunks(std::span<const uint8_t> symbols, uint16_t* out) {
  return EncodeChunks(symbols, [&out](uint16_t chunk) {
    if (out != nullptr) *out++ = chunk;
  });
}

// --- PacketIterator --------------------------------------------------------------------------

std::optional<TransportFeedback::PacketResult> TransportFeedback::PacketIterator::Next() {
  if (remaining_ == 0) return std::nullopt;
  // Parse validated the data; the bounds checks below keep a stale iterator harmless.
  while (chunk_index_ >= chunk_symbols_) {
    if (chunk_end_ - chunk_pos_ < 2) {
      remaining_ = 0;
      return std::nullopt;
    }
    chunk_ = ReadBE16(chunks_.data() + chunk_pos_);
    chunk_pos_ += 2;
    chunk_symbols_ = ChunkSymbolCount(chunk_);
    chunk_index_ = 0;
  }
  const uint8_t symbol = ChunkSymbol(chunk_, chunk_index_++);
  if (symbol == 3 || chunks_.size() - delta_pos_ < symbol) {
    remaining_ = 0;
    return std::nullopt;
  }
  PacketResult r;
  r.sequence_number = sequence_++;
  r.received = symbol != 0;
  if (symbol == 1) r.delta_us = int64_t{chunks_[delta_pos_]} * kDeltaTickUs;
  if (symbol == 2)
    r.delta_us =
        int64_t{static_cast<int16_t>(ReadBE16(chunks_.data() + delta_pos_))} * kDeltaTickUs;
  delta_pos_ += symbol;
  --remaining_;
  return r;
}

// --- Parse -----------------------------------------------------------------------------------

bool TransportFeedback::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType || header.fmt() != kFeedbackMessageType) return false;
  const std::span<const uint8_t> p = header.payload();
  if (p.size() < kCommonFeedbackSize + kFixedFciSize) return false;
  const uint16_t count = ReadBE16(p.data() + 10);
  if (count == 0) return false;
  const std::span<const uint8_t> area = p.subspan(kCommonFeedbackSize + kFixedFciSize);
  size_t chunk_bytes = 0;
  size_t delta_bytes = 0;
  if (!ScanChunks(area, count, &chunk_bytes, &delta_bytes)) return false;

  sender_ssrc_ = ReadBE32(p.data());
  media_ssrc_ = ReadBE32(p.data() + 4);
  base_sequence_ = ReadBE16(p.data() + 8);
  status_count_ = count;
  reference_time_ = ReadBE24Signed(p.data() + 12);
  feedback_packet_count_ = p[15];
  owned_ = false;
  parsed_chunks_ = area.first(chunk_bytes + delta_bytes);
  parsed_chunk_bytes_ = chunk_bytes;
  parsed_delta_bytes_ = delta_bytes;
  symbols_.clear();
  deltas_.clear();
  return true;
}

TransportFeedback::PacketIterator TransportFeedback::packets() const {
  PacketIterator it;
  if (owned_) return it;
  it.chunks_ = parsed_chunks_;
  it.chunk_end_ = parsed_chunk_bytes_;
  it.delta_pos_ = parsed_chunk_bytes_;
  it.sequence_ = base_sequence_;
  it.remaining_ = status_count_;
  return it;
}

std::vector<TransportFeedback::PacketResult> TransportFeedback::GetPackets() const {
  std::vector<PacketResult> out;
  out.reserve(status_count_);
  ForEachPacket([&out](const PacketResult& r) { out.push_back(r); });
  return out;
}

// --- Building --------------------------------------------------------------------------------

void TransportFeedback::SetBase(uint16_t base_sequence, int64_t reference_time_us) {
  int64_t ticks = reference_time_us / kReferenceTimeTickUs;
  if (reference_time_us % kReferenceTimeTickUs < 0) --ticks;  // floor for negative times
  owned_ = true;
  parsed_chunks_ = {};
  parsed_chunk_bytes_ = parsed_delta_bytes_ = 0;
  symbols_.clear();
  deltas_.clear();
  base_sequence_ = base_sequence;
  status_count_ = 0;
  reference_time_ = SignExtend24(static_cast<uint32_t>(ticks));
  last_timestamp_us_ = ticks * kReferenceTimeTickUs;
}

bool TransportFeedback::AddReceivedPacket(uint16_t sequence_number, int64_t arrival_time_us) {
  if (!owned_) return false;
  const uint16_t next = static_cast<uint16_t>(base_sequence_ + symbols_.size());
  const uint16_t gap = static_cast<uint16_t>(sequence_number - next);
  if (gap >= 0x8000) return false;  // not after the previous packet
  if (symbols_.size() + gap + 1 > kMaxStatusCount) return false;
  const int64_t ticks = ToTicks(arrival_time_us - last_timestamp_us_);
  if (!FitsDelta(ticks)) return false;
  symbols_.insert(symbols_.end(), gap, 0);
  deltas_.insert(deltas_.end(), gap, 0);
  symbols_.push_back(SymbolFor(ticks));
  deltas_.push_back(static_cast<int16_t>(ticks));
  last_timestamp_us_ += ticks * kDeltaTickUs;
  status_count_ = static_cast<uint16_t>(symbols_.size());
  return true;
}

bool TransportFeedback::Build(uint16_t base_sequence, int32_t reference_time,
                              uint8_t feedback_packet_count,
                              std::span<const PacketResult> packets) {
  if (packets.empty() || packets.size() > kMaxStatusCount) return false;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (packets[i].sequence_number != static_cast<uint16_t>(base_sequence + i)) return false;
    if (packets[i].received && !FitsDelta(ToTicks(packets[i].delta_us))) return false;
  }
  owned_ = true;
  parsed_chunks_ = {};
  parsed_chunk_bytes_ = parsed_delta_bytes_ = 0;
  symbols_.clear();
  deltas_.clear();
  symbols_.reserve(packets.size());
  deltas_.reserve(packets.size());
  for (const PacketResult& r : packets) {
    const int64_t ticks = r.received ? ToTicks(r.delta_us) : 0;
    symbols_.push_back(r.received ? SymbolFor(ticks) : 0);
    deltas_.push_back(static_cast<int16_t>(ticks));
  }
  base_sequence_ = base_sequence;
  status_count_ = static_cast<uint16_t>(packets.size());
  reference_time_ = SignExtend24(static_cast<uint32_t>(reference_time));
  feedback_packet_count_ = feedback_packet_count;
  last_timestamp_us_ = int64_t{reference_time_} * kReferenceTimeTickUs;
  for (const PacketResult& r : packets) {
    if (r.received) last_timestamp_us_ += ToTicks(r.delta_us) * kDeltaTickUs;
  }
  return true;
}

size_t TransportFeedback::EncodedFciSize() const {
  if (!owned_) return parsed_chunk_bytes_ + parsed_delta_bytes_;
  size_t delta_bytes = 0;
  for (uint8_t s : symbols_) delta_bytes += s;
  return 2 * EncodeTwccChunks(symbols_, nullptr) + delta_bytes;
}

size_t TransportFeedback::BlockLength() const {
  return kHeaderSize + kCommonFeedbackSize + kFixedFciSize + (EncodedFciSize() + 3) / 4 * 4;
}

size_t TransportFeedback::Create(std::span<uint8_t> out) const {
  if (status_count_ == 0) return 0;
  const size_t size = BlockLength();
  if (out.size() < size || size > kMaxBlockSize) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, kFeedbackMessageType, kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  WriteBE32(p + 8, media_ssrc_);
  WriteBE16(p + 12, base_sequence_);
  WriteBE16(p + 14, status_count_);
  WriteBE24(p + 16, static_cast<uint32_t>(reference_time_));
  p[19] = feedback_packet_count_;
  size_t pos = 20;
  if (!owned_) {
    std::memcpy(p + pos, parsed_chunks_.data(), parsed_chunks_.size());
    pos += parsed_chunks_.size();
  } else {
    EncodeChunks(symbols_, [p, &pos](uint16_t chunk) {
      WriteBE16(p + pos, chunk);
      pos += 2;
    });
    for (size_t i = 0; i < symbols_.size(); ++i) {
      if (symbols_[i] == 1) {
        p[pos++] = static_cast<uint8_t>(deltas_[i]);
      } else if (symbols_[i] == 2) {
        WriteBE16(p + pos, static_cast<uint16_t>(deltas_[i]));
        pos += 2;
      }
    }
  }
  std::memset(p + pos, 0, size - pos);
  return size;
}

}  // namespace sfu::wire::rtcp

#include "transport/wire/rtcp/sdes.h"

#include <cstring>

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {
namespace {

// Bytes of one chunk: SSRC, the CNAME item if any, then 1-4 nulls to the 32-bit boundary.
size_t ChunkSize(const Sdes::Chunk& chunk) {
  const size_t items = chunk.cname.empty() ? 0 : 2 + chunk.cname.size();
  return 4 + (items + 1 + 3) / 4 * 4;
}

}  // namespace

bool Sdes::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType) return false;
  const std::span<const uint8_t> p = header.payload();
  const size_t count = header.count();
  size_t pos = 0;
  for (size_t i = 0; i < count; ++i) {
    if (p.size() - pos < 4) return false;
    Chunk chunk;
    chunk.ssrc = ReadBE32(p.data() + pos);
    pos += 4;
    while (true) {
      if (pos >= p.size()) return false;  // no terminating null octet
      const uint8_t type = p[pos];
      if (type == 0) {
        // Skip the terminator and the padding to the next 32-bit boundary (the payload starts
        // 4-aligned within the block, so payload offsets align the same way).
        pos = (pos + 1 + 3) / 4 * 4;
        if (pos > p.size()) return false;
        break;
      }
      if (p.size() - pos < 2) return false;
      const size_t length = p[pos + 1];
      if (p.size() - pos - 2 < length) return false;
      if (type == kCnameItem && chunk.cname.empty()) {
        chunk.cname = std::string_view(reinterpret_cast<const char*>(p.data() + pos + 2), length);
      }
      pos += 2 + length;
    }
    chunks_[i] = chunk;
  }
  chunk_count_ = count;
  return true;
}

bool Sdes::AddCName(uint32_t ssrc, std::string_view cname) {
  if (chunk_count_ == kMaxChunks || cname.size() > 255) return false;
  chunks_[chunk_count_++] = Chunk{ssrc, cname};
  return true;
}

size_t Sdes::BlockLength() const {
  size_t n = kHeaderSize;
  for (size_t i = 0; i < chunk_count_; ++i) n += ChunkSize(chunks_[i]);
  return n;
}

size_t Sdes::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, static_cast<uint8_t>(chunk_count_), kPacketType, size);
  size_t pos = kHeaderSize;
  for (size_t i = 0; i < chunk_count_; ++i) {
    const Chunk& c = chunks_[i];
    const size_t end = pos + ChunkSize(c);
    WriteBE32(p + pos, c.ssrc);
    pos += 4;
    if (!c.cname.empty()) {
      p[pos] = kCnameItem;
      p[pos + 1] = static_cast<uint8_t>(c.cname.size());
      std::memcpy(p + pos + 2, c.cname.data(), c.cname.size());
      pos += 2 + c.cname.size();
    }
    std::memset(p + pos, 0, end - pos);  // terminator and padding
    pos = end;
  }
  return size;
}

}  // namespace sfu::wire::rtcp

#pragma once
// Source description (RFC 3550 §6.5); only CNAME (§6.5.1) is kept, other items are skipped.
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|    SC   |  PT=SDES=202  |             length            |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                          SSRC/CSRC_1                          | chunk
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   1
//   |    CNAME=1    |     length    | user and domain name        ...
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |  ... other items  |  0 (end)  | 0 pad to the 32-bit boundary  |
//   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//   |                          SSRC/CSRC_2 ...                      |
//
// Each chunk's item list ends with at least one null octet, padded with more nulls to a
// 32-bit boundary. Parse rejects a chunk without its terminator or an item running past the
// block. Parsed CNAMEs borrow the packet buffer; CNAMEs given to AddCName are borrowed too
// (they must outlive Create).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

class Sdes {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeSdes;
  static constexpr size_t kMaxChunks = 31;  // SC is 5 bits
  static constexpr uint8_t kCnameItem = 1;

  struct Chunk {
    uint32_t ssrc = 0;
    std::string_view cname;  // empty if the chunk had no CNAME; borrowed
  };

  bool Parse(const CommonHeader& header);

  std::span<const Chunk> chunks() const { return {chunks_.data(), chunk_count_}; }

  // False (nothing added) when full or cname is longer than 255 bytes. An empty cname writes a
  // chunk with no items.
  bool AddCName(uint32_t ssrc, std::string_view cname);

  size_t BlockLength() const;
  size_t Create(std::span<uint8_t> out) const;

 private:
  std::array<Chunk, kMaxChunks> chunks_{};
  size_t chunk_count_ = 0;
};

}  // namespace sfu::wire::rtcp

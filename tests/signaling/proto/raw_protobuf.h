#pragma once
// A protobuf wire-format writer for tests, independent of chime_signaling.proto: frames built
// with it put each value on the field number the document (docs/PROTOCOL.md §3-§4) gives, so
// decoding them checks the .proto against the document rather than against itself.

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace sfu::signaling::proto::testing {

using Bytes = std::vector<uint8_t>;

// Wire types (protobuf encoding spec).
inline constexpr int kVarint = 0;
inline constexpr int kFixed64 = 1;
inline constexpr int kLen = 2;

class Raw {
 public:
  Raw& Varint(int field, uint64_t v) {
    Key(field, kVarint);
    PutVarint(v);
    return *this;
  }
  Raw& Double(int field, double d) {
    Key(field, kFixed64);
    uint64_t bits;
    static_assert(sizeof bits == sizeof d);
    __builtin_memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(bits >> (8 * i)));
    return *this;
  }
  Raw& String(int field, std::string_view s) {
    Key(field, kLen);
    PutVarint(s.size());
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  Raw& Message(int field, const Raw& m) {
    Key(field, kLen);
    PutVarint(m.bytes_.size());
    bytes_.insert(bytes_.end(), m.bytes_.begin(), m.bytes_.end());
    return *this;
  }
  // Packed repeated varints (what protobufjs emits for proto2 [packed] and what proto3 does by
  // default; proto2 parsers must accept both forms for repeated scalars).
  Raw& Packed(int field, std::initializer_list<uint64_t> values) {
    Raw inner;
    for (uint64_t v : values) inner.PutVarint(v);
    return Message(field, inner);
  }
  // The WebSocket message: 0x05 + this message.
  Bytes Frame(uint8_t prefix = 0x05) const {
    Bytes out{prefix};
    out.insert(out.end(), bytes_.begin(), bytes_.end());
    return out;
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  void Key(int field, int wire_type) { PutVarint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<uint8_t>(v));
  }
  Bytes bytes_;
};

// The envelope's two required fields (§3.2: timestamp_ms = 1, type = 2).
inline Raw Envelope(uint64_t timestamp_ms, uint64_t type) {
  Raw r;
  r.Varint(1, timestamp_ms).Varint(2, type);
  return r;
}

}  // namespace sfu::signaling::proto::testing

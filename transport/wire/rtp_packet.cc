#include "transport/wire/rtp_packet.h"

#include <cstring>

#include "transport/wire/byte_io.h"

namespace sfu::wire {
namespace {

bool IsOneByteProfile(uint16_t profile) { return profile == kOneByteExtensionProfile; }
bool IsTwoByteProfile(uint16_t profile) { return (profile & 0xFFF0) == kTwoByteExtensionProfile; }

// True if every RFC 8285 element of the block fits inside it.
bool ElementsFit(uint16_t profile, std::span<const uint8_t> block) {
  if (!IsOneByteProfile(profile) && !IsTwoByteProfile(profile)) return true;  // opaque to us
  const bool one_byte = IsOneByteProfile(profile);
  size_t pos = 0;
  while (pos < block.size()) {
    const uint8_t b = block[pos];
    // Padding: a zero byte; in the one-byte form any ID 0 byte, whatever its length nibble
    // (RFC 8285 §4.2 reserves ID 0 for padding; libwebrtc skips such bytes the same way).
    if (one_byte ? (b >> 4) == 0 : b == 0) {
      ++pos;
      continue;
    }
    size_t element_size;
    if (one_byte) {
      if ((b >> 4) == 15) return true;  // RFC 8285 §4.2: stop processing
      element_size = 1 + (b & 0x0F) + 1;
    } else {
      if (pos + 1 >= block.size()) return false;  // ID without its length byte
      element_size = 2 + block[pos + 1];
    }
    if (element_size > block.size() - pos) return false;
    pos += element_size;
  }
  return true;
}

}  // namespace

RtpExtensionIterator::RtpExtensionIterator(uint16_t profile, std::span<const uint8_t> block)
    : one_byte_(IsOneByteProfile(profile)) {
  if (one_byte_ || IsTwoByteProfile(profile)) block_ = block;
}

std::optional<RtpExtension> RtpExtensionIterator::Next() {
  // Bounds are re-checked so that a hand-made iterator over unvalidated bytes is still safe.
  while (pos_ < block_.size()) {
    const uint8_t b = block_[pos_];
    if (one_byte_ ? (b >> 4) == 0 : b == 0) {  // padding, as in ElementsFit
      ++pos_;
      continue;
    }
    RtpExtension ext;
    size_t header;
    size_t length;
    if (one_byte_) {
      ext.id = b >> 4;
      if (ext.id == 15) break;
      header = 1;
      length = (b & 0x0F) + 1u;
    } else {
      if (pos_ + 1 >= block_.size()) break;
      ext.id = b;
      header = 2;
      length = block_[pos_ + 1];
    }
    if (header + length > block_.size() - pos_) break;
    ext.data = block_.subspan(pos_ + header, length);
    pos_ += header + length;
    return ext;
  }
  pos_ = block_.size();
  return std::nullopt;
}

std::optional<RtpPacketView> RtpPacketView::Parse(std::span<const uint8_t> packet) {
  if (packet.size() < kRtpHeaderSize || (packet[0] >> 6) != 2) return std::nullopt;
  RtpPacketView v;
  v.data_ = packet;
  size_t pos = kRtpHeaderSize + 4u * (packet[0] & 0x0F);
  if (pos > packet.size()) return std::nullopt;
  if (packet[0] & 0x10) {
    if (packet.size() - pos < 4) return std::nullopt;
    v.extension_profile_ = ReadBE16(packet.data() + pos);
    const size_t block_size = 4u * ReadBE16(packet.data() + pos + 2);
    pos += 4;
    if (block_size > packet.size() - pos) return std::nullopt;
    v.extension_offset_ = pos;
    v.extension_size_ = block_size;
    if (!ElementsFit(v.extension_profile_, packet.subspan(pos, block_size))) return std::nullopt;
    pos += block_size;
  } else {
    v.extension_offset_ = pos;
  }
  v.header_size_ = pos;
  if (packet[0] & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included, so it is >= 1.
    if (packet.size() == pos) return std::nullopt;
    v.padding_size_ = packet.back();
    if (v.padding_size_ == 0 || v.padding_size_ > packet.size() - pos) return std::nullopt;
  }
  v.payload_size_ = packet.size() - pos - v.padding_size_;
  return v;
}

uint16_t RtpPacketView::sequence_number() const { return ReadBE16(data_.data() + 2); }
uint32_t RtpPacketView::timestamp() const { return ReadBE32(data_.data() + 4); }
uint32_t RtpPacketView::ssrc() const { return ReadBE32(data_.data() + 8); }
uint32_t RtpPacketView::csrc(size_t index) const {
  return ReadBE32(data_.data() + kRtpHeaderSize + 4 * index);
}

std::optional<std::span<const uint8_t>> RtpPacketView::Extension(uint8_t id) const {
  if (id == 0) return std::nullopt;
  RtpExtensionIterator it = extensions();
  while (auto ext = it.Next()) {
    if (ext->id == id) return ext->data;
  }
  return std::nullopt;
}

// --- RtpHeaderWriter --------------------------------------------------------------------------

bool RtpHeaderWriter::AddCsrc(uint32_t csrc) {
  if (csrc_count_ == kMaxCsrcs) return false;
  csrcs_[csrc_count_++] = csrc;
  return true;
}

bool RtpHeaderWriter::AddExtension(uint8_t id, std::span<const uint8_t> data) {
  if (id == 0 || data.size() > 255 || extension_count_ == kMaxExtensions) return false;
  for (size_t i = 0; i < extension_count_; ++i) {
    if (extensions_[i].id == id) return false;
  }
  extensions_[extension_count_++] = RtpExtension{id, data};
  return true;
}

bool RtpHeaderWriter::UseOneByteForm() const {
  for (size_t i = 0; i < extension_count_; ++i) {
    const RtpExtension& e = extensions_[i];
    if (e.id > 14 || e.data.empty() || e.data.size() > 16) return false;
  }
  return true;
}

size_t RtpHeaderWriter::ExtensionBlockSize() const {
  const size_t per_element = UseOneByteForm() ? 1 : 2;
  size_t n = 0;
  for (size_t i = 0; i < extension_count_; ++i) n += per_element + extensions_[i].data.size();
  return n;
}

size_t RtpHeaderWriter::HeaderSize() const {
  size_t n = kRtpHeaderSize + 4 * csrc_count_;
  if (extension_count_ > 0) n += 4 + (ExtensionBlockSize() + 3) / 4 * 4;
  return n;
}

size_t RtpHeaderWriter::WriteTo(std::span<uint8_t> out) const {
  const size_t size = HeaderSize();
  if (out.size() < size) return 0;
  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>(0x80 | (extension_count_ > 0 ? 0x10 : 0) | csrc_count_);
  p[1] = static_cast<uint8_t>((marker_ ? 0x80 : 0) | payload_type_);
  WriteBE16(p + 2, sequence_number_);
  WriteBE32(p + 4, timestamp_);
  WriteBE32(p + 8, ssrc_);
  size_t pos = kRtpHeaderSize;
  for (size_t i = 0; i < csrc_count_; ++i, pos += 4) WriteBE32(p + pos, csrcs_[i]);
  if (extension_count_ == 0) return size;

  const bool one_byte = UseOneByteForm();
  WriteBE16(p + pos, one_byte ? kOneByteExtensionProfile : kTwoByteExtensionProfile);
  WriteBE16(p + pos + 2, static_cast<uint16_t>((size - pos - 4) / 4));
  pos += 4;
  for (size_t i = 0; i < extension_count_; ++i) {
    const RtpExtension& e = extensions_[i];
    if (one_byte) {
      p[pos++] = static_cast<uint8_t>((e.id << 4) | (e.data.size() - 1));
    } else {
      p[pos++] = e.id;
      p[pos++] = static_cast<uint8_t>(e.data.size());
    }
    if (!e.data.empty()) std::memcpy(p + pos, e.data.data(), e.data.size());
    pos += e.data.size();
  }
  std::memset(p + pos, 0, size - pos);  // padding to the 32-bit boundary
  return size;
}

// --- In-place mutators ------------------------------------------------------------------------

bool SetSsrc(std::span<uint8_t> packet, uint32_t ssrc) {
  if (packet.size() < kRtpHeaderSize) return false;
  WriteBE32(packet.data() + 8, ssrc);
  return true;
}

bool SetSequenceNumber(std::span<uint8_t> packet, uint16_t sequence_number) {
  if (packet.size() < kRtpHeaderSize) return false;
  WriteBE16(packet.data() + 2, sequence_number);
  return true;
}

bool SetTimestamp(std::span<uint8_t> packet, uint32_t timestamp) {
  if (packet.size() < kRtpHeaderSize) return false;
  WriteBE32(packet.data() + 4, timestamp);
  return true;
}

bool SetPayloadType(std::span<uint8_t> packet, uint8_t payload_type) {
  if (packet.size() < kRtpHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x80) | (payload_type & 0x7F));
  return true;
}

bool SetMarker(std::span<uint8_t> packet, bool marker) {
  if (packet.size() < kRtpHeaderSize) return false;
  packet[1] = static_cast<uint8_t>((packet[1] & 0x7F) | (marker ? 0x80 : 0));
  return true;
}

std::optional<std::span<uint8_t>> MutableExtension(std::span<uint8_t> packet, uint8_t id) {
  auto view = RtpPacketView::Parse(packet);
  if (!view) return std::nullopt;
  auto ext = view->Extension(id);
  if (!ext) return std::nullopt;
  // The element lies inside packet; recover a writable span at the same offset.
  const size_t offset = static_cast<size_t>(ext->data() - packet.data());
  return packet.subspan(offset, ext->size());
}

}  // namespace sfu::wire

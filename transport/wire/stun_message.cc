#include "transport/wire/stun_message.h"

#include <cstring>

namespace sfu::wire {
namespace {

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Read32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
void Write16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Write32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

constexpr uint32_t kFingerprintXor = 0x5354554e;

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

}  // namespace

uint32_t Crc32(std::span<const uint8_t> data, uint32_t crc) {
  crc = ~crc;
  for (uint8_t b : data) crc = kCrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

bool StunMessageView::LooksLikeStun(std::span<const uint8_t> d) {
  return d.size() >= kStunHeaderSize && (d[0] & 0xC0) == 0 &&
         Read32(d.data() + 4) == kStunMagicCookie;
}

std::optional<StunMessageView> StunMessageView::Parse(std::span<const uint8_t> d) {
  if (!LooksLikeStun(d)) return std::nullopt;
  const size_t length = Read16(d.data() + 2);
  if ((length & 3) != 0 || length + kStunHeaderSize != d.size()) return std::nullopt;
  StunMessageView v;
  v.data_ = d;
  v.type_ = Read16(d.data());
  size_t pos = kStunHeaderSize;
  while (pos < d.size()) {
    if (d.size() - pos < 4) return std::nullopt;
    const uint16_t type = Read16(d.data() + pos);
    const size_t len = Read16(d.data() + pos + 2);
    const size_t padded = (len + 3) & ~size_t{3};
    if (padded > d.size() - pos - 4) return std::nullopt;
    if (v.fingerprint_offset_ != 0) return std::nullopt;  // nothing may follow FINGERPRINT
    if (type == kStunAttrMessageIntegrity && v.integrity_offset_ == 0) {
      if (len != 20) return std::nullopt;
      v.integrity_offset_ = pos;
    } else if (type == kStunAttrFingerprint) {
      if (len != 4) return std::nullopt;
      v.fingerprint_offset_ = pos;
    }
    pos += 4 + padded;
  }
  return v;
}

std::optional<std::span<const uint8_t>> StunMessageView::Attribute(uint16_t wanted,
                                                                   size_t index) const {
  size_t pos = kStunHeaderSize;
  const size_t end = integrity_offset_ ? integrity_offset_ : data_.size();
  while (pos + 4 <= end) {
    const uint16_t type = Read16(data_.data() + pos);
    const size_t len = Read16(data_.data() + pos + 2);
    if (type == wanted && index-- == 0) return data_.subspan(pos + 4, len);
    pos += 4 + ((len + 3) & ~size_t{3});
  }
  if (wanted == kStunAttrMessageIntegrity && integrity_offset_)
    return data_.subspan(integrity_offset_ + 4, 20);
  if (wanted == kStunAttrFingerprint && fingerprint_offset_)
    return data_.subspan(fingerprint_offset_ + 4, 4);
  return std::nullopt;
}

std::optional<std::string_view> StunMessageView::Username() const {
  auto a = Attribute(kStunAttrUsername);
  if (!a || a->size() > 763) return std::nullopt;  // RFC 8489 §14.3
  return std::string_view(reinterpret_cast<const char*>(a->data()), a->size());
}

std::optional<std::string_view> StunMessageView::Realm() const {
  auto a = Attribute(kStunAttrRealm);
  if (!a || a->size() > 763) return std::nullopt;  // RFC 8489 §14.9
  return std::string_view(reinterpret_cast<const char*>(a->data()), a->size());
}

std::optional<std::string_view> StunMessageView::Nonce() const {
  auto a = Attribute(kStunAttrNonce);
  if (!a || a->size() > 763) return std::nullopt;  // RFC 8489 §14.10
  return std::string_view(reinterpret_cast<const char*>(a->data()), a->size());
}

std::optional<uint32_t> StunMessageView::Priority() const { return Uint32(kStunAttrPriority); }

std::optional<uint32_t> StunMessageView::Uint32(uint16_t attr_type) const {
  auto a = Attribute(attr_type);
  if (!a || a->size() != 4) return std::nullopt;
  return Read32(a->data());
}

namespace {
std::optional<uint64_t> Read64Attr(std::optional<std::span<const uint8_t>> a) {
  if (!a || a->size() != 8) return std::nullopt;
  return (static_cast<uint64_t>(Read32(a->data())) << 32) | Read32(a->data() + 4);
}
}  // namespace

std::optional<uint64_t> StunMessageView::IceControlling() const {
  return Read64Attr(Attribute(kStunAttrIceControlling));
}
std::optional<uint64_t> StunMessageView::IceControlled() const {
  return Read64Attr(Attribute(kStunAttrIceControlled));
}

std::optional<StunAddress> StunMessageView::XorAddress(uint16_t attr_type, size_t index) const {
  auto a = Attribute(attr_type, index);
  if (!a || a->size() < 8) return std::nullopt;
  const uint8_t* p = a->data();
  StunAddress out;
  out.port = static_cast<uint16_t>(Read16(p + 2) ^ (kStunMagicCookie >> 16));
  uint8_t mask[16];
  Write32(mask, kStunMagicCookie);
  std::memcpy(mask + 4, data_.data() + 8, 12);
  if (p[1] == 0x01 && a->size() == 8) {
    out.family = 4;
    for (int i = 0; i < 4; ++i) out.ip[i] = p[4 + i] ^ mask[i];
  } else if (p[1] == 0x02 && a->size() == 20) {
    out.family = 6;
    for (int i = 0; i < 16; ++i) out.ip[i] = p[4 + i] ^ mask[i];
  } else {
    return std::nullopt;
  }
  return out;
}

std::optional<uint16_t> StunMessageView::ErrorCode() const {
  auto a = Attribute(kStunAttrErrorCode);
  if (!a || a->size() < 4) return std::nullopt;
  const uint8_t cls = (*a)[2] & 0x07;
  const uint8_t number = (*a)[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  return static_cast<uint16_t>(cls * 100 + number);
}

bool StunMessageView::CheckMessageIntegrity(std::span<const uint8_t> key, HmacSha1Fn hmac) const {
  if (!integrity_offset_ || !hmac) return false;
  uint8_t header[kStunHeaderSize];
  std::memcpy(header, data_.data(), kStunHeaderSize);
  Write16(header + 2, static_cast<uint16_t>(integrity_offset_ + 24 - kStunHeaderSize));
  const std::span<const uint8_t> parts[2] = {
      std::span<const uint8_t>(header, kStunHeaderSize),
      data_.subspan(kStunHeaderSize, integrity_offset_ - kStunHeaderSize)};
  uint8_t mac[20];
  if (!hmac(key, std::span<const std::span<const uint8_t>>(parts, 2), mac)) return false;
  // Constant time: the MAC is secret-dependent.
  uint8_t diff = 0;
  for (int i = 0; i < 20; ++i)
    diff |= static_cast<uint8_t>(mac[i] ^ data_[integrity_offset_ + 4 + i]);
  return diff == 0;
}

bool StunMessageView::CheckFingerprint() const {
  if (!fingerprint_offset_) return false;
  const uint32_t expected = Crc32(data_.first(fingerprint_offset_)) ^ kFingerprintXor;
  return Read32(data_.data() + fingerprint_offset_ + 4) == expected;
}

StunWriter::StunWriter(std::span<uint8_t> buffer, uint16_t type,
                       std::span<const uint8_t, 12> transaction_id)
    : buf_(buffer) {
  if (buf_.size() < kStunHeaderSize) {
    ok_ = false;
    return;
  }
  Write16(buf_.data(), type);
  Write16(buf_.data() + 2, 0);
  Write32(buf_.data() + 4, kStunMagicCookie);
  std::memcpy(buf_.data() + 8, transaction_id.data(), 12);
  size_ = kStunHeaderSize;
}

void StunWriter::SetLength(size_t body_length) {
  Write16(buf_.data() + 2, static_cast<uint16_t>(body_length));
}

uint8_t* StunWriter::Reserve(uint16_t type, size_t length) {
  const size_t padded = (length + 3) & ~size_t{3};
  if (!ok_ || length > 0xffff || buf_.size() - size_ < 4 + padded) {
    ok_ = false;
    return nullptr;
  }
  uint8_t* p = buf_.data() + size_;
  Write16(p, type);
  Write16(p + 2, static_cast<uint16_t>(length));
  std::memset(p + 4, 0, padded);
  size_ += 4 + padded;
  SetLength(size_ - kStunHeaderSize);
  return p + 4;
}

bool StunWriter::AddAttribute(uint16_t type, std::span<const uint8_t> value) {
  uint8_t* p = Reserve(type, value.size());
  if (!p) return false;
  if (!value.empty()) std::memcpy(p, value.data(), value.size());
  return true;
}

bool StunWriter::AddString(uint16_t type, std::string_view value) {
  return AddAttribute(
      type, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
}

bool StunWriter::AddUint32(uint16_t type, uint32_t value) {
  uint8_t* p = Reserve(type, 4);
  if (!p) return false;
  Write32(p, value);
  return true;
}

bool StunWriter::AddUint64(uint16_t type, uint64_t value) {
  uint8_t* p = Reserve(type, 8);
  if (!p) return false;
  Write32(p, static_cast<uint32_t>(value >> 32));
  Write32(p + 4, static_cast<uint32_t>(value));
  return true;
}

bool StunWriter::AddXorAddress(uint16_t attr_type, const StunAddress& a) {
  const size_t ip_len = a.family == 6 ? 16 : 4;
  uint8_t* p = Reserve(attr_type, 4 + ip_len);
  if (!p) return false;
  p[0] = 0;
  p[1] = a.family == 6 ? 0x02 : 0x01;
  Write16(p + 2, static_cast<uint16_t>(a.port ^ (kStunMagicCookie >> 16)));
  uint8_t mask[16];
  Write32(mask, kStunMagicCookie);
  std::memcpy(mask + 4, buf_.data() + 8, 12);
  for (size_t i = 0; i < ip_len; ++i) p[4 + i] = a.ip[i] ^ mask[i];
  return true;
}

bool StunWriter::AddErrorCode(uint16_t code, std::string_view reason) {
  uint8_t* p = Reserve(kStunAttrErrorCode, 4 + reason.size());
  if (!p) return false;
  p[0] = p[1] = 0;
  p[2] = static_cast<uint8_t>(code / 100);
  p[3] = static_cast<uint8_t>(code % 100);
  if (!reason.empty()) std::memcpy(p + 4, reason.data(), reason.size());
  return true;
}

bool StunWriter::AddMessageIntegrity(std::span<const uint8_t> key, HmacSha1Fn hmac) {
  // Length already counts the attribute once reserved; the HMAC covers everything before it.
  const size_t offset = size_;
  uint8_t* p = Reserve(kStunAttrMessageIntegrity, 20);
  if (!p || !hmac) return ok_ = false;
  const std::span<const uint8_t> parts[1] = {std::span<const uint8_t>(buf_.data(), offset)};
  if (!hmac(key, std::span<const std::span<const uint8_t>>(parts, 1), p)) return ok_ = false;
  return true;
}

bool StunWriter::AddFingerprint() {
  const size_t offset = size_;
  uint8_t* p = Reserve(kStunAttrFingerprint, 4);
  if (!p) return false;
  Write32(p, Crc32(std::span<const uint8_t>(buf_.data(), offset)) ^ kFingerprintXor);
  return true;
}

}  // namespace sfu::wire

#include "transport/wire/rtcp/fir.h"

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

bool Fir::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType || header.fmt() != kFeedbackMessageType) return false;
  const std::span<const uint8_t> p = header.payload();
  if (p.size() < kCommonFeedbackSize + kEntrySize) return false;
  sender_ssrc_ = ReadBE32(p.data());
  media_ssrc_ = ReadBE32(p.data() + 4);
  const size_t entries = (p.size() - kCommonFeedbackSize) / kEntrySize;
  parsed_fci_ = p.subspan(kCommonFeedbackSize, entries * kEntrySize);
  owned_ = false;
  owned_requests_.clear();
  return true;
}

size_t Fir::request_count() const {
  return owned_ ? owned_requests_.size() : parsed_fci_.size() / kEntrySize;
}

FirRequest Fir::request(size_t index) const {
  if (owned_) return owned_requests_[index];
  const uint8_t* p = parsed_fci_.data() + kEntrySize * index;
  return FirRequest{ReadBE32(p), p[4]};
}

void Fir::AddRequest(uint32_t ssrc, uint8_t seq_nr) {
  if (!owned_) {
    owned_requests_.clear();
    for (size_t i = 0, n = request_count(); i < n; ++i) owned_requests_.push_back(request(i));
    owned_ = true;
    parsed_fci_ = {};
  }
  owned_requests_.push_back(FirRequest{ssrc, seq_nr});
}

size_t Fir::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (request_count() == 0 || out.size() < size || size > kMaxBlockSize) return 0;
  uint8_t* p = out.data();
  WriteCommonHeader(p, kFeedbackMessageType, kPacketType, size);
  WriteBE32(p + 4, sender_ssrc_);
  WriteBE32(p + 8, media_ssrc_);
  for (size_t i = 0, n = request_count(); i < n; ++i) {
    const FirRequest r = request(i);
    uint8_t* e = p + 12 + kEntrySize * i;
    WriteBE32(e, r.ssrc);
    e[4] = r.seq_nr;
    e[5] = e[6] = e[7] = 0;
  }
  return size;
}

}  // namespace sfu::wire::rtcp

#include "transport/wire/rtcp/pli.h"

#include "transport/wire/byte_io.h"

namespace sfu::wire::rtcp {

bool Pli::Parse(const CommonHeader& header) {
  if (header.type() != kPacketType || header.fmt() != kFeedbackMessageType) return false;
  if (header.payload_size() < kCommonFeedbackSize) return false;
  sender_ssrc_ = ReadBE32(header.payload().data());
  media_ssrc_ = ReadBE32(header.payload().data() + 4);
  return true;
}

size_t Pli::Create(std::span<uint8_t> out) const {
  const size_t size = BlockLength();
  if (out.size() < size) return 0;
  WriteCommonHeader(out.data(), kFeedbackMessageType, kPacketType, size);
  WriteBE32(out.data() + 4, sender_ssrc_);
  WriteBE32(out.data() + 8, media_ssrc_);
  return size;
}

}  // namespace sfu::wire::rtcp

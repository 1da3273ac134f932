#include "transport/wire/seq_num.h"

namespace sfu::wire {

int64_t SeqUnwrapper::PeekUnwrap(uint16_t value) const {
  if (!last_) return value;
  const uint16_t last_wrapped = static_cast<uint16_t>(*last_);  // low 16 bits, also for negatives
  if (SeqNewer(value, last_wrapped)) return *last_ + static_cast<uint16_t>(value - last_wrapped);
  return *last_ - static_cast<uint16_t>(last_wrapped - value);
}

int64_t SeqUnwrapper::Unwrap(uint16_t value) {
  last_ = PeekUnwrap(value);
  return *last_;
}

int64_t TimestampUnwrapper::PeekUnwrap(uint32_t value) const {
  if (!last_) return value;
  const uint32_t last_wrapped = static_cast<uint32_t>(*last_);
  if (TimestampNewer(value, last_wrapped))
    return *last_ + static_cast<uint32_t>(value - last_wrapped);
  return *last_ - static_cast<uint32_t>(last_wrapped - value);
}

int64_t TimestampUnwrapper::Unwrap(uint32_t value) {
  last_ = PeekUnwrap(value);
  return *last_;
}

}  // namespace sfu::wire

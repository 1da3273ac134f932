// Attendee records as read back from Redis (signaling/store/redis_codec.h): whoever can write
// Redis can put any bytes there. A corrupt record is refused, never a crash or a hang; one that
// decodes encodes back to the same bytes (the encoding is canonical).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "signaling/store/redis_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto fields = sfu::store::DecodeFields(bytes)) {
    // Leading zeros in a length ("05:") decode but encode without them: compare field by field.
    auto again = sfu::store::DecodeFields(sfu::store::EncodeFields(*fields));
    if (!again || *again != *fields) std::abort();
  }
  if (auto a = sfu::store::DecodeAttendeeRecord(bytes)) {
    auto b = sfu::store::DecodeAttendeeRecord(sfu::store::EncodeAttendeeRecord(*a));
    if (!b || b->attendee_id != a->attendee_id || b->meeting_id != a->meeting_id ||
        b->external_user_id != a->external_user_id || b->seq != a->seq ||
        b->created_at_ms != a->created_at_ms || b->capabilities_audio != a->capabilities_audio)
      std::abort();
  }
  return 0;
}

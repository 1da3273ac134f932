// The cascade's control messages, read from this node's Redis inbox (docs/DESIGN.md, "Replica
// meetings"; docs/PROTOCOL.md §12): link offers (sfu/cascade_link.h), mirrors of a primary's
// state and its relayed data messages (signaling/cascade_mirror_codec.h). Whoever can write
// Redis can write them, so garbage must be refused, never crash. The first byte chooses the
// parser (mod 3). An accepted offer formats back to text that parses to the same offer; an
// accepted mirror encodes back to text that decodes, and its relay publications name only
// attendees with a video source and no empty layer list; accepted data has at most
// kMaxRelayedMessages messages and encodes back to text that decodes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sfu/cascade_link.h"
#include "signaling/cascade_mirror_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 3 == 2) {
    const auto relayed = sfu::signaling::DecodeRelayedData(text);
    if (!relayed) return 0;
    if (relayed->messages_size() > sfu::signaling::kMaxRelayedMessages ||
        !sfu::signaling::DecodeRelayedData(sfu::signaling::EncodeRelayedData(*relayed)))
      std::abort();
    return 0;
  }
  if (data[0] % 3 == 1) {
    const auto offer = sfu::cascade::ParseLinkOffer(text);
    if (!offer) return 0;
    const std::string again = sfu::cascade::FormatLinkOffer(*offer);
    const auto back = sfu::cascade::ParseLinkOffer(again);
    if (again.empty() || !back || back->primary_meeting_id != offer->primary_meeting_id ||
        back->node_id != offer->node_id || !(back->address == offer->address) ||
        back->send_key != offer->send_key || back->receive_key != offer->receive_key)
      std::abort();
    return 0;
  }
  const auto mirror = sfu::signaling::DecodeMirror(text);
  if (!mirror) return 0;
  if (!sfu::signaling::DecodeMirror(sfu::signaling::EncodeMirror(*mirror))) std::abort();
  for (const sfu::RelayedPublication& p : sfu::signaling::RelayedPublications(*mirror)) {
    if (p.stream_ids.empty()) std::abort();
    bool has_video = false;
    for (const auto& v : mirror->video()) has_video |= v.attendee_id() == p.attendee_id;
    if (!has_video) std::abort();
  }
  return 0;
}

#pragma once
// The cascade mirror message's pure parts (docs/DESIGN.md, "Replica meetings";
// signaling/proto/cascade_mirror.proto): its text form in a Redis inbox, and the relay
// publishers it implies. No I/O; fuzzed (tests/fuzz/cascade_message_fuzzer.cc).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sfu/cascade_link.h"
#include "signaling/proto/cascade_mirror.pb.h"
#include "signaling/proto/chime_signaling.pb.h"

namespace sfu::signaling {

// The hex text carried in the inbox, and back (nullopt: not hex, longer than kMaxMirrorBytes,
// or not the message).
inline constexpr size_t kMaxMirrorBytes = 1 << 20;
std::string EncodeMirror(const proto::CascadeMirror& m);
std::optional<proto::CascadeMirror> DecodeMirror(std::string_view hex);
// The data messages of a primary meeting relayed to a replica's node ("data <primary> <hex>"):
// a DATA_MESSAGE frame's payload list, at most kMaxRelayedMessages of them.
inline constexpr int kMaxRelayedMessages = 400;
std::string EncodeRelayedData(const proto::SdkDataMessageFrame& m);
std::optional<proto::SdkDataMessageFrame> DecodeRelayedData(std::string_view hex);
// The relay publishers on the replica's node: one per attendee with a video source, its layer
// ids lowest first (from its layer list, else its sources' ids in stream id order).
std::vector<sfu::RelayedPublication> RelayedPublications(const proto::CascadeMirror& m);

}  // namespace sfu::signaling

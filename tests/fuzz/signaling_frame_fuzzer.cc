// Signaling WebSocket frames arrive from clients (docs/PROTOCOL.md §3.1). Decode anything;
// whatever decodes must encode (EncodeFrame's checks must hold), and the encoding must decode to
// an equal message whose own encoding is byte-identical (unknown fields included).
#include <google/protobuf/util/field_comparator.h>
#include <google/protobuf/util/message_differencer.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "signaling/proto/frame_codec.h"

namespace {

// Field-by-field equality, unknown fields included; NaN equals NaN (SdkMetric.value is a double).
bool Equal(const sfu::signaling::proto::SdkSignalFrame& a,
           const sfu::signaling::proto::SdkSignalFrame& b) {
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);
  google::protobuf::util::MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  return differencer.Compare(a, b);
}

void CheckRoundTrip(const sfu::signaling::proto::SdkSignalFrame& frame) {
  using sfu::signaling::proto::DecodeFrame;
  using sfu::signaling::proto::EncodeFrame;
  if (!sfu::signaling::proto::ValidateFrame(frame).empty()) __builtin_trap();
  if (!sfu::signaling::proto::HasSubMessageForType(frame) &&
      sfu::signaling::proto::TypeRequiresSubMessage(frame.type())) {
    __builtin_trap();
  }
  const std::vector<uint8_t> wire = EncodeFrame(frame);
  sfu::signaling::proto::DecodeOptions unlimited;
  unlimited.max_frame_bytes = SIZE_MAX;
  std::string error;
  auto again = DecodeFrame(wire, &error, unlimited);
  if (!again) __builtin_trap();
  if (!Equal(frame, *again)) __builtin_trap();
  if (EncodeFrame(*again) != wire) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  std::string error;
  if (auto frame = sfu::signaling::proto::DecodeFrame(in, &error)) {
    CheckRoundTrip(*frame);
  } else if (error.empty()) {
    __builtin_trap();  // every rejection carries a reason
  }
  // The client-side variant (0x02 tolerated) and a tight size limit take the same paths.
  sfu::signaling::proto::DecodeOptions client;
  client.accept_legacy_prefix = true;
  client.max_frame_bytes = 512;
  if (auto frame = sfu::signaling::proto::DecodeFrame(in, nullptr, client)) {
    if (size > 512) __builtin_trap();
    CheckRoundTrip(*frame);
  }
  return 0;
}

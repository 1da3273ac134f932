// DCEP messages arrive from the peer on every data channel stream (PPID 50). Parse as OPEN and
// ACK; a parsed OPEN must rebuild into a message that parses back to the same fields.
#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/wire/dcep.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const auto type = sfu::wire::PeekDcepType(in);
  const bool ack = sfu::wire::ParseDcepAck(in);
  if (ack != (type == sfu::wire::DcepMessageType::kAck)) __builtin_trap();
  auto open = sfu::wire::ParseDcepOpen(in);
  if (!open) return 0;
  if (type != sfu::wire::DcepMessageType::kOpen) __builtin_trap();
  const auto bytes = sfu::wire::BuildDcepOpen(*open);
  if (bytes.size() != sfu::wire::kDcepOpenHeaderSize + open->label.size() + open->protocol.size())
    __builtin_trap();
  auto again = sfu::wire::ParseDcepOpen(bytes);
  if (!again || !(*again == *open)) __builtin_trap();
  return 0;
}

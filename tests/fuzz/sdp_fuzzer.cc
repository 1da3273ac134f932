// SDP offers arrive from clients (POST /echo, SUBSCRIBE frames). Parse anything; whatever parses
// must produce an answer that parses again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "signaling/sdp/answer_builder.h"
#include "signaling/sdp/session_description.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = sfu::sdp::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!r.description) return 0;
  sfu::sdp::AnswerParams p;
  p.ice_ufrag = "u";
  p.ice_pwd = "p";
  p.fingerprint = "AA";
  p.candidates = {{"127.0.0.1", 3478}};
  std::vector<sfu::sdp::MediaAnswer> answers(r.description->media.size());
  const std::string answer = sfu::sdp::BuildAnswer(*r.description, p, answers);
  sfu::sdp::ParseLimits big;
  big.max_bytes = 1 << 22;
  big.max_lines = 1 << 20;
  big.max_line_length = 1 << 20;
  if (!sfu::sdp::Parse(answer, big).description) __builtin_trap();
  return 0;
}

#include "transport/transport_stats.h"

namespace sfu::transport {

std::string_view DropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kNoTransport:
      return "no_transport";
    case DropReason::kMalformed:
      return "malformed";
    case DropReason::kTooLarge:
      return "too_large";
    case DropReason::kUnknownUfrag:
      return "unknown_ufrag";
    case DropReason::kBadCredentials:
      return "bad_credentials";
    case DropReason::kNotConnected:
      return "not_connected";
    case DropReason::kSrtpError:
      return "srtp_error";
    case DropReason::kSendFailed:
      return "send_failed";
    case DropReason::kAddressTaken:
      return "address_taken";
    case DropReason::kHandshakeBacklog:
      return "handshake_backlog";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

}  // namespace sfu::transport

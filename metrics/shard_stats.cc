#include "metrics/shard_stats.h"

namespace sfu::metrics {

std::string_view DropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kNoTransport: return "no_transport";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kTooLarge: return "too_large";
    case DropReason::kCount: break;
  }
  return "unknown";
}

}  // namespace sfu::metrics

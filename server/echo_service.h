#pragma once
// POST /echo: takes an SDP offer, answers it (ICE-lite, passive DTLS, BUNDLE, rtcp-mux, host
// candidates on the chosen shard's port) and starts an EchoSession on that shard.
// Thread: the control thread. The answer is built here; the session is created on the shard
// by a posted task, which runs before the peer's first ICE check can arrive.

#include <string>
#include <string_view>
#include <vector>

namespace sfu {

namespace transport {
class DtlsContext;
}
class ShardSet;

namespace server {

class EchoService {
 public:
  // All borrowed; they outlive the service.
  EchoService(ShardSet& shards, const transport::DtlsContext& dtls,
              std::vector<std::string> announce_ips);

  struct Result {
    int status = 201;  // 201 with an answer, 400 for a bad offer, 503 when full
    std::string body;  // SDP answer, or the reason
  };
  Result Offer(std::string_view offer_sdp);

  static constexpr size_t kMaxSessionsPerShard = 1000;

 private:
  ShardSet& shards_;
  const transport::DtlsContext& dtls_;
  std::vector<std::string> announce_ips_;
};

}  // namespace server
}  // namespace sfu

#include "sfu/shard_transport.h"

#include "sfu/shard.h"
#include "transport/endpoint_demuxer.h"

namespace sfu {
namespace {
void AddTransports(ShardStats& s, int64_t delta) {
  s.transports.store(s.transports.load(std::memory_order_relaxed) + delta,
                     std::memory_order_relaxed);
}
}  // namespace

ShardTransport::ShardTransport(Shard& shard, const transport::WebRtcTransport::Params& params,
                               transport::WebRtcTransport::Listener* listener)
    : shard_(shard),
      transport_(std::make_unique<transport::WebRtcTransport>(
          params, *shard.dtls(), shard.endpoint(), shard.mutable_stats(), listener)),
      created_ms_(shard.NowMs()) {
  shard_.demuxer().Add(params.local_ufrag, transport_.get());
  AddTransports(shard_.mutable_stats(), 1);
}

ShardTransport::~ShardTransport() {
  shard_.demuxer().Remove(transport_.get());
  AddTransports(shard_.mutable_stats(), -1);
}

bool ShardTransport::Tick(int64_t now_ms) {
  if (transport_->closed()) return false;
  if (!transport_->selected() && now_ms - created_ms_ > kConnectTimeoutMs) {
    transport_->Close("no ICE check within 30 s");
    return true;  // finished on the next tick, after the listener heard about it
  }
  transport_->OnTick(now_ms);
  return true;
}

std::unique_ptr<transport::SctpAssociation> ShardTransport::MakeSctp(
    Shard& shard, transport::SctpAssociation::Listener* listener,
    uint32_t remote_max_message_size) {
  Shard* s = &shard;
  auto sctp = std::make_unique<transport::SctpAssociation>(
      listener, [s](std::function<void()> task) { s->Post(std::move(task)); });
  sctp->SetRemoteMaxMessageSize(remote_max_message_size);
  return sctp;
}

}  // namespace sfu

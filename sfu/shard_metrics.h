#pragma once
// Prometheus families for every shard's counters (sfu/shard_stats.h), one series per shard
// labelled shard="N". Registered with metrics::ServerMetrics::AddCollectable by the server.
// Thread: Collect runs on the control thread at scrape time and only loads relaxed atomics.

#include <memory>
#include <vector>

#include "sfu/shard_stats.h"

namespace prometheus {
class Collectable;
}

namespace sfu {

// Borrowed: each ShardStats must outlive the collector.
std::shared_ptr<prometheus::Collectable> MakeShardCollector(std::vector<const ShardStats*> shards);

}  // namespace sfu

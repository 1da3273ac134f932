#include "server/cascade_links.h"

#include "base/log.h"
#include "base/random.h"
#include "sfu/cascade_link.h"
#include "sfu/cascade_receiver.h"
#include "sfu/cascade_sender.h"
#include "signaling/cascade_mirror.h"

namespace sfu::server {

CascadeLinks::CascadeLinks(CascadeLinksConfig config, ShardSet& shards,
                           signaling::SignalingHub& hub, Send send)
    : config_(std::move(config)), shards_(shards), hub_(hub), send_(std::move(send)) {
  hub_.set_data_relay(
      [this](const std::string& primary_id, const signaling::proto::SdkDataMessageFrame& f) {
        RelayData(primary_id, f);
      });
}

CascadeLinks::~CascadeLinks() { hub_.set_data_relay(nullptr); }

void CascadeLinks::RelayData(const std::string& primary_id,
                             const signaling::proto::SdkDataMessageFrame& f) {
  if (!out_.contains(primary_id)) return;  // no replica elsewhere
  signaling::proto::SdkDataMessageFrame& pending = pending_data_[primary_id];
  for (const auto& m : f.messages()) {
    if (pending.messages_size() >= signaling::kMaxRelayedMessages) {
      ++data_dropped_;
      continue;
    }
    *pending.add_messages() = m;
  }
}

void CascadeLinks::SendData() {
  for (auto& [primary, frame] : pending_data_) {
    auto it = out_.find(primary);
    if (it == out_.end() || frame.messages_size() == 0) continue;
    const std::string text = "data " + primary + " " + signaling::EncodeRelayedData(frame);
    for (const auto& [node, out] : it->second) send_(node, text);
  }
  pending_data_.clear();
  if (data_dropped_ > 0) {
    SFU_LOG(kWarn, "cascade: data messages over the relay's limit dropped")
        .Kv("dropped", data_dropped_);
    data_dropped_ = 0;
  }
}

void CascadeLinks::OnData(std::string_view rest, int64_t now_ms) {
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return;
  auto it = in_.find(std::string(rest.substr(0, space)));
  if (it == in_.end()) return;
  std::optional<signaling::proto::SdkDataMessageFrame> m =
      signaling::DecodeRelayedData(rest.substr(space + 1));
  if (!m) {
    SFU_LOG(kWarn, "cascade data refused: malformed").Kv("primary", it->first);
    return;
  }
  signaling::DeliverRelayedData(hub_, it->first, *m, now_ms);
}

size_t CascadeLinks::links_out() const {
  size_t n = 0;
  for (const auto& [primary, nodes] : out_) n += nodes.size();
  return n;
}

wire::StunAddress CascadeLinks::OurAddress(int shard) const {
  std::optional<wire::StunAddress> a = cascade::ParseAddress(
      config_.announce_ip, shards_.shard(static_cast<size_t>(shard)).media_port());
  return a ? *a : wire::StunAddress{};
}

void CascadeLinks::NoteReplica(const std::string& replica_id, const std::string& primary_id,
                               const std::string& primary_node, int64_t now_ms) {
  if (primary_node.empty() || primary_node == config_.self_id) return;  // phase 1: same node
  const int shard = shards_.PlaceWith(replica_id, primary_id);
  auto [it, fresh] = in_.try_emplace(primary_id);
  In& link = it->second;
  link.replicas.insert(replica_id);
  if (!fresh) return;
  link.shard = shard;
  link.primary_node = primary_node;
  link.send_key = base::RandomBytes(cascade::kKeySaltLength);
  link.receive_key = base::RandomBytes(cascade::kKeySaltLength);
  CascadeLinkPlan plan;
  plan.meeting_id = primary_id;
  plan.node_id = primary_node;
  plan.send_key = link.send_key;
  plan.receive_key = link.receive_key;
  plan.mixer = config_.mixer;
  Shard* s = &shards_.shard(static_cast<size_t>(shard));
  s->Post([s, plan = std::move(plan)]() mutable { CascadeReceiver::Open(*s, std::move(plan)); });
  SFU_LOG(kInfo, "cascade link requested")
      .Kv("primary", primary_id)
      .Kv("primary_node", primary_node)
      .Kv("replica", replica_id);
  SendOpen(primary_id, link, now_ms);
}

void CascadeLinks::SendOpen(const std::string& primary_id, In& link, int64_t now_ms) {
  cascade::LinkOffer offer;
  offer.primary_meeting_id = primary_id;
  offer.node_id = config_.self_id;
  offer.address = OurAddress(link.shard);
  offer.send_key = link.send_key;
  offer.receive_key = link.receive_key;
  const std::string text = cascade::FormatLinkOffer(offer);
  if (text.empty()) return;
  send_(link.primary_node, "link-open " + text);
  link.next_refresh_ms = now_ms + (link.ready ? kRefreshMs : kUnreadyRefreshMs);
}

bool CascadeLinks::Handle(std::string_view verb, std::string_view rest, int64_t now_ms) {
  if (verb == "link-open") {
    OnLinkOpen(rest, now_ms);
  } else if (verb == "link-ready") {
    OnLinkReady(rest);
  } else if (verb == "link-close") {
    OnLinkClose(rest);
  } else if (verb == "mirror") {
    OnMirror(rest, now_ms);
  } else if (verb == "data") {
    OnData(rest, now_ms);
  } else {
    return false;
  }
  return true;
}

void CascadeLinks::OnLinkOpen(std::string_view rest, int64_t now_ms) {
  std::optional<cascade::LinkOffer> offer = cascade::ParseLinkOffer(rest);
  if (!offer) {
    SFU_LOG(kWarn, "cascade link-open refused: malformed");
    return;
  }
  const std::optional<int> shard = shards_.ShardOf(offer->primary_meeting_id);
  if (!shard || offer->node_id == config_.self_id) {
    SFU_LOG(kInfo, "cascade link-open for a meeting not hosted here")
        .Kv("meeting", offer->primary_meeting_id)
        .Kv("node", offer->node_id);
    return;
  }
  Out& out = out_[offer->primary_meeting_id][offer->node_id];
  const std::string peer_text = cascade::AddressText(offer->address);
  if (out.peer_text != peer_text) out.last_mirror.clear();  // new or restarted: send it all
  out.peer_text = peer_text;
  out.refreshed_ms = now_ms;
  out.shard = *shard;
  CascadeLinkPlan plan;
  plan.meeting_id = offer->primary_meeting_id;
  plan.node_id = offer->node_id;
  plan.peer = offer->address;
  plan.send_key = offer->receive_key;  // what it unprotects with is what we protect with
  plan.receive_key = offer->send_key;
  plan.mixer = config_.mixer;
  Shard* s = &shards_.shard(static_cast<size_t>(*shard));
  s->Post([s, plan = std::move(plan)]() mutable { CascadeSender::Open(*s, std::move(plan)); });
  cascade::LinkOffer ready;
  ready.primary_meeting_id = offer->primary_meeting_id;
  ready.node_id = config_.self_id;
  ready.address = OurAddress(*shard);
  ready.send_key = offer->receive_key;
  ready.receive_key = offer->send_key;
  const std::string text = cascade::FormatLinkOffer(ready);
  if (!text.empty()) send_(offer->node_id, "link-ready " + text);
}

void CascadeLinks::OnLinkReady(std::string_view rest) {
  std::optional<cascade::LinkOffer> offer = cascade::ParseLinkOffer(rest);
  if (!offer) {
    SFU_LOG(kWarn, "cascade link-ready refused: malformed");
    return;
  }
  auto it = in_.find(offer->primary_meeting_id);
  // Only an answer to our current offer (an old one carries the keys of a link we replaced).
  if (it == in_.end() || offer->send_key != it->second.receive_key ||
      offer->receive_key != it->second.send_key)
    return;
  it->second.ready = true;
  Shard* s = &shards_.shard(static_cast<size_t>(it->second.shard));
  s->Post([s, id = offer->primary_meeting_id, node = offer->node_id, peer = offer->address] {
    CascadeReceiver::SetPeer(*s, id, node, peer);
  });
}

void CascadeLinks::OnLinkClose(std::string_view rest) {
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return;
  CloseOut(std::string(rest.substr(0, space)), std::string(rest.substr(space + 1)));
}

void CascadeLinks::CloseOut(const std::string& primary_id, const std::string& node) {
  auto it = out_.find(primary_id);
  if (it == out_.end()) return;
  auto link = it->second.find(node);
  if (link == it->second.end()) return;
  const int shard = link->second.shard;
  it->second.erase(link);
  if (it->second.empty()) out_.erase(it);
  if (shard < 0) return;
  Shard* s = &shards_.shard(static_cast<size_t>(shard));
  s->Post([s, primary_id, node] { CascadeSender::Close(*s, primary_id, node); });
}

void CascadeLinks::CloseIn(const std::string& primary_id) {
  auto it = in_.find(primary_id);
  if (it == in_.end()) return;
  send_(it->second.primary_node, "link-close " + primary_id + " " + config_.self_id);
  const int shard = it->second.shard;
  in_.erase(it);
  // The shard it was opened on: the primary's placement here may be gone already (a "deleted"
  // for the primary removes it before its replicas end).
  Shard* s = &shards_.shard(static_cast<size_t>(shard));
  s->Post([s, primary_id] { CascadeReceiver::Close(*s, primary_id); });
  if (shards_.ShardOf(primary_id)) shards_.Remove(primary_id);  // placed here only for the mirror
  hub_.DropStateIfUnused(primary_id);
  SFU_LOG(kInfo, "cascade link closed: no replica of the primary here").Kv("primary", primary_id);
}

void CascadeLinks::OnMirror(std::string_view rest, int64_t now_ms) {
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return;
  auto it = in_.find(std::string(rest.substr(0, space)));
  if (it == in_.end()) return;
  std::optional<signaling::proto::CascadeMirror> m =
      signaling::DecodeMirror(rest.substr(space + 1));
  if (!m) {
    SFU_LOG(kWarn, "cascade mirror refused: malformed").Kv("primary", it->first);
    return;
  }
  const bool first = !it->second.have_mirror;
  it->second.mirror = std::move(*m);
  it->second.have_mirror = true;
  const bool video_changed = signaling::ApplyMirror(hub_, it->first, it->second.mirror, now_ms);
  if (!video_changed && !first) return;
  Shard* s = &shards_.shard(static_cast<size_t>(it->second.shard));
  s->Post([s, id = it->first, pubs = signaling::RelayedPublications(it->second.mirror)]() mutable {
    CascadeReceiver::SetPublications(*s, id, std::move(pubs));
  });
}

void CascadeLinks::Tick(int64_t now_ms) {
  if (!pending_data_.empty()) SendData();
  // Primary side: the state of each linked primary, to each node, when it changed.
  if (now_ms >= next_mirror_ms_) {
    next_mirror_ms_ = now_ms + kMirrorMs;
    for (auto it = out_.begin(); it != out_.end();) {
      const std::string primary = it->first;  // a copy: CloseOut below may erase the entry
      if (!shards_.ShardOf(primary)) {        // the primary ended here: so do its senders
        for (auto& [node, out] : it->second) {
          SFU_LOG(kInfo, "cascade link ended with its primary")
              .Kv("primary", primary)
              .Kv("node", node);
          if (out.shard < 0) continue;
          Shard* s = &shards_.shard(static_cast<size_t>(out.shard));
          s->Post([s, primary, node] { CascadeSender::Close(*s, primary, node); });
        }
        pending_data_.erase(primary);
        it = out_.erase(it);
        continue;
      }
      std::vector<std::string> expired;
      for (auto& [node, out] : it->second)
        if (now_ms - out.refreshed_ms > kExpireMs) expired.push_back(node);
      ++it;
      for (const std::string& node : expired) {
        SFU_LOG(kWarn, "cascade link expired: no refresh").Kv("primary", primary).Kv("node", node);
        CloseOut(primary, node);
      }
    }
    for (auto& [primary, nodes] : out_) {
      const signaling::MeetingState* state = hub_.FindState(primary);
      const signaling::MeetingState empty;
      const std::string text = signaling::EncodeMirror(signaling::MirrorOf(
          state ? *state : empty, static_cast<uint32_t>(hub_.JoinedCount(primary)), now_ms));
      for (auto& [node, out] : nodes) {
        if (out.last_mirror == text) continue;
        out.last_mirror = text;
        send_(node, "mirror " + primary + " " + text);
      }
    }
  }
  // Replica side, every second: replicas that ended, refreshes, a mirror to re-apply.
  if (now_ms < next_check_ms_) return;
  next_check_ms_ = now_ms + 1000;
  std::vector<std::string> unused;
  for (auto& [primary, link] : in_) {
    std::erase_if(link.replicas, [&](const std::string& r) { return !shards_.ShardOf(r); });
    if (link.replicas.empty()) {
      unused.push_back(primary);
      continue;
    }
    if (now_ms >= link.next_refresh_ms) SendOpen(primary, link, now_ms);
    // The last session sharing the state left (and took the state): the next one gets the
    // roster and INDEX from the last mirror, not from an empty state.
    const signaling::MeetingState* state = hub_.FindState(primary);
    if (link.have_mirror && (!state || !state->mirrored()) &&
        !hub_.MediaSessionsOf(primary).empty())
      signaling::ApplyMirror(hub_, primary, link.mirror, now_ms);
  }
  for (const std::string& primary : unused) CloseIn(primary);
}

}  // namespace sfu::server

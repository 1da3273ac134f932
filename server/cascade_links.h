#pragma once
// The control side of the node-to-node cascade (docs/DESIGN.md, "Replica meetings", phase 2;
// docs/PROTOCOL.md §12): the links this node runs, as the primary's node (senders) and as a
// replica's node (receivers), set up and kept through the nodes' Redis inboxes:
//
//   replica node -> primary node   link-open  <offer>   (sfu/cascade_link.h: keys, our address)
//                                  link-close <primary> <node>
//   primary node -> replica node   link-ready <offer>   (its address; the same keys)
//                                  mirror <primary> <hex CascadeMirror>
//                                  data <primary> <hex SdkDataMessageFrame>
//
// - A replica node opens a link when it first hosts a replica of a primary on another node,
//   repeats link-open every 5 s (every second until link-ready: a lost message costs a second)
//   and closes the link when it hosts none any more. The keys are fresh per link
//   (AEAD_AES_128_GCM, 28 random bytes each way).
// - A primary node answers every link-open (it starts or refreshes the sender on the primary's
//   shard) and ends a link not refreshed for 30 s; a sender also ends after 30 s without RTCP
//   from its receiver, so media does not depend on Redis once running.
// - Every 250 ms the primary node sends each linked node the primary's state when it changed
//   (whole, so a lost message is repaired by the next); the replica node applies it
//   (signaling/cascade_mirror.h) and tells its receiver the relay publishers.
// - Data messages delivered in a linked primary are batched and sent to each linked node at
//   the next tick (every 100 ms), where its replica attendees get them as the primary's get
//   them (at most kMaxRelayedMessages a tick: the primary's own limit is 100/s, burst 200).
// Thread: the control thread (ClusterNode's ticks and inbox).
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "mixer/room_mixer.h"
#include "sfu/shard_set.h"
#include "signaling/proto/cascade_mirror.pb.h"
#include "signaling/signaling_hub.h"

namespace sfu::server {

struct CascadeLinksConfig {
  std::string self_id;
  std::string announce_ip;       // this node's media address other nodes reach (first announced)
  mixer::RoomMixerConfig mixer;  // a link end that creates a meeting's mixer uses it
};

class CascadeLinks {
 public:
  static constexpr int64_t kMirrorMs = 250;
  static constexpr int64_t kRefreshMs = 5'000;
  static constexpr int64_t kUnreadyRefreshMs = 1'000;
  static constexpr int64_t kExpireMs = 30'000;

  // send(node, message): into that node's inbox. All borrowed.
  using Send = std::function<void(const std::string& node, const std::string& message)>;
  CascadeLinks(CascadeLinksConfig config, ShardSet& shards, signaling::SignalingHub& hub,
               Send send);
  ~CascadeLinks();

  // A replica hosted here whose primary is hosted on primary_node (another node).
  void NoteReplica(const std::string& replica_id, const std::string& primary_id,
                   const std::string& primary_node, int64_t now_ms);
  // An inbox message; false if it is not one of ours. rest: the message after the verb.
  bool Handle(std::string_view verb, std::string_view rest, int64_t now_ms);
  void Tick(int64_t now_ms);

  size_t links_out() const;
  size_t links_in() const { return in_.size(); }
  // This node runs a mirror of the primary (placed here for its replicas' media only: not a
  // meeting of this node's, whose end would be this node's to announce).
  bool IsMirror(const std::string& primary_id) const { return in_.contains(primary_id); }

 private:
  // Data messages of a primary with links, waiting for the next tick.
  std::map<std::string, signaling::proto::SdkDataMessageFrame> pending_data_;
  uint64_t data_dropped_ = 0;
  struct Out {       // a replica node we send a primary's media to
    int shard = -1;  // the primary's shard, where the sender runs
    std::string peer_text;
    int64_t refreshed_ms = 0;
    std::string last_mirror;  // what it was last sent
  };
  struct In {        // a primary whose media we receive
    int shard = -1;  // the mirror's shard, where the receiver runs
    std::string primary_node;
    std::string send_key, receive_key;
    std::set<std::string> replicas;
    bool ready = false;
    int64_t next_refresh_ms = 0;
    signaling::proto::CascadeMirror mirror;
    bool have_mirror = false;
  };
  void OnLinkOpen(std::string_view rest, int64_t now_ms);
  void OnLinkReady(std::string_view rest);
  void OnLinkClose(std::string_view rest);
  void OnMirror(std::string_view rest, int64_t now_ms);
  void OnData(std::string_view rest, int64_t now_ms);
  void RelayData(const std::string& primary_id, const signaling::proto::SdkDataMessageFrame& f);
  void SendData();
  void SendOpen(const std::string& primary_id, In& link, int64_t now_ms);
  void CloseOut(const std::string& primary_id, const std::string& node);
  void CloseIn(const std::string& primary_id);
  wire::StunAddress OurAddress(int shard) const;

  CascadeLinksConfig config_;
  ShardSet& shards_;
  signaling::SignalingHub& hub_;
  Send send_;
  std::map<std::string, std::map<std::string, Out>> out_;  // primary -> replica node -> link
  std::map<std::string, In> in_;                           // by primary
  int64_t next_mirror_ms_ = 0;
  int64_t next_check_ms_ = 0;
};

}  // namespace sfu::server

// The cascade's control side (server/cascade_links.h, docs/PROTOCOL.md §12) between two nodes in
// one process: node "a" hosts the primary, node "b" a replica of it. Each has a real ShardSet on
// loopback and its own SignalingHub; the Redis inboxes that carry their messages in cluster mode
// are a map here, pumped by the test (the control thread's part of ClusterNode::DrainInbox).
#include "server/cascade_links.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <map>
#include <thread>

namespace sfu::server {
namespace {

template <class F>
bool Eventually(F pred) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

class CascadeLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(shards_a_.Start(&error)) << error;
    ASSERT_TRUE(shards_b_.Start(&error)) << error;
    a_ = std::make_unique<CascadeLinks>(
        CascadeLinksConfig{"a", "127.0.0.1", {}}, shards_a_, hub_a_,
        [this](const std::string& node, const std::string& m) { inbox_[node].push_back(m); });
    b_ = std::make_unique<CascadeLinks>(
        CascadeLinksConfig{"b", "127.0.0.1", {}}, shards_b_, hub_b_,
        [this](const std::string& node, const std::string& m) { inbox_[node].push_back(m); });
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    shards_a_.Stop();
    shards_b_.Stop();
  }
  // Delivers every queued message (and what answering it queues), as the nodes' inbox polls do.
  // Returns the verbs handled, in order.
  std::vector<std::string> Pump(int64_t now_ms) {
    std::vector<std::string> verbs;
    for (bool any = true; any;) {
      any = false;
      for (auto& [node, queue] : inbox_) {
        while (!queue.empty()) {
          const std::string m = queue.front();
          queue.pop_front();
          any = true;
          const size_t space = m.find(' ');
          const std::string verb = m.substr(0, space);
          verbs.push_back(node + ":" + verb);
          CascadeLinks& to = node == "a" ? *a_ : *b_;
          EXPECT_TRUE(to.Handle(verb, std::string_view(m).substr(space + 1), now_ms)) << m;
        }
      }
    }
    return verbs;
  }
  int64_t Links(ShardSet& s, bool send) {
    const ShardStats& st = s.shard(0).stats();
    return send ? st.cascade_links_send.load() : st.cascade_links_receive.load();
  }

  ShardSet shards_a_{1, "127.0.0.1", 0};
  ShardSet shards_b_{1, "127.0.0.1", 0};
  signaling::SignalingHub hub_a_, hub_b_;
  std::map<std::string, std::deque<std::string>> inbox_;
  std::unique_ptr<CascadeLinks> a_, b_;
};

TEST_F(CascadeLinksTest, AReplicaOpensALinkGetsTheStateAndClosesItWhenItEnds) {
  shards_a_.Place("P");  // the primary, hosted on a
  b_->NoteReplica("R1", "P", "a", 0);
  b_->NoteReplica("R2", "P", "a", 0);  // a second replica there shares the link
  EXPECT_EQ(Pump(0), (std::vector<std::string>{"a:link-open", "b:link-ready"}));
  EXPECT_EQ(a_->links_out(), 1u);
  EXPECT_TRUE(b_->IsMirror("P"));
  EXPECT_FALSE(a_->IsMirror("P"));
  ASSERT_TRUE(
      Eventually([&] { return Links(shards_a_, true) == 1 && Links(shards_b_, false) == 1; }));
  // Media flows: the primary's mixer ticks with the sender as a listener (silence, here).
  ASSERT_TRUE(Eventually([&] {
    return shards_b_.shard(0).stats().cascade_received_audio.load() > 10;
  })) << "received "
      << shards_b_.shard(0).stats().cascade_received_audio.load() << " of "
      << shards_a_.shard(0).stats().cascade_sent_audio.load();
  EXPECT_EQ(shards_b_.shard(0).stats().cascade_refused.load(), 0u);

  // The primary's state, sent when it changed: once, not again while it stays the same.
  hub_a_.State("P").Present("alice", "Alice", false);
  a_->Tick(250);
  EXPECT_EQ(Pump(250), (std::vector<std::string>{"b:mirror"}));
  a_->Tick(500);
  EXPECT_TRUE(Pump(500).empty());
  const signaling::MeetingState* mirrored = hub_b_.FindState("P");
  ASSERT_NE(mirrored, nullptr);
  EXPECT_TRUE(mirrored->mirrored());
  ASSERT_EQ(mirrored->present().size(), 1u);
  EXPECT_EQ(mirrored->present().at("alice").external_user_id, "Alice");

  // A data message of the primary, at the next tick.
  signaling::proto::SdkDataMessageFrame data;
  auto* m = data.add_messages();
  m->set_topic("chat");
  m->set_data("hello");
  m->set_sender_attendee_id("alice");
  m->set_lifetime_ms(60'000);
  hub_a_.RelayData("P", data);
  hub_a_.RelayData("other", data);  // a meeting without links: nothing
  a_->Tick(600);
  EXPECT_EQ(Pump(600), (std::vector<std::string>{"b:data"}));
  EXPECT_EQ(hub_b_.State("P").kept(600).size(), 1u) << "kept for later replica attendees";

  // Refreshes every 5 s (answered each time).
  b_->Tick(5'000);
  EXPECT_EQ(Pump(5'000), (std::vector<std::string>{"a:link-open", "b:link-ready"}));

  // One replica ends: the link stays. The last one ends: b closes it, a's sender goes.
  shards_b_.Remove("R1");
  b_->Tick(6'000);
  EXPECT_TRUE(Pump(6'000).empty());
  shards_b_.Remove("R2");
  b_->Tick(7'000);
  EXPECT_EQ(Pump(7'000), (std::vector<std::string>{"a:link-close"}));
  EXPECT_EQ(a_->links_out(), 0u);
  EXPECT_FALSE(b_->IsMirror("P"));
  EXPECT_EQ(hub_b_.FindState("P"), nullptr) << "the mirror's state went with its link";
  EXPECT_FALSE(shards_b_.ShardOf("P")) << "placed on b only for the mirror";
  EXPECT_TRUE(
      Eventually([&] { return Links(shards_a_, true) == 0 && Links(shards_b_, false) == 0; }));
}

TEST_F(CascadeLinksTest, APrimaryNodeEndsLinksNotRefreshedAndLinksOfAnEndedPrimary) {
  shards_a_.Place("P");
  shards_a_.Place("Q");
  b_->NoteReplica("R", "P", "a", 0);
  b_->NoteReplica("S", "Q", "a", 0);
  Pump(0);
  ASSERT_TRUE(Eventually([&] { return Links(shards_a_, true) == 2; }));
  // Q ends on a: its sender goes at a's next tick.
  shards_a_.Remove("Q");
  a_->Tick(100);
  EXPECT_EQ(a_->links_out(), 1u);
  ASSERT_TRUE(Eventually([&] { return Links(shards_a_, true) == 1; }));
  // b stops refreshing (it died, or Redis lost the messages): after 30 s, P's link goes too.
  inbox_.clear();
  a_->Tick(30'000);
  EXPECT_EQ(a_->links_out(), 1u);
  a_->Tick(30'001 + CascadeLinks::kExpireMs);
  EXPECT_EQ(a_->links_out(), 0u);
  EXPECT_TRUE(Eventually([&] { return Links(shards_a_, true) == 0; }));
}

TEST_F(CascadeLinksTest, GarbageAndStrangersAreRefusedQuietly) {
  shards_a_.Place("P");
  EXPECT_FALSE(a_->Handle("created", "P", 0)) << "not a cascade message";
  EXPECT_TRUE(a_->Handle("link-open", "nonsense", 0));
  EXPECT_TRUE(a_->Handle("link-ready", "P a 127.0.0.1 1 zz zz", 0));
  EXPECT_TRUE(a_->Handle("link-close", "P", 0));
  EXPECT_TRUE(b_->Handle("mirror", "P 0", 0));
  EXPECT_TRUE(b_->Handle("mirror", "P", 0));
  EXPECT_TRUE(b_->Handle("data", "P zz", 0));
  // An offer for a meeting a does not host: no link, no answer.
  const std::string key(56, 'a');
  EXPECT_TRUE(a_->Handle("link-open", "X b 127.0.0.1 40000 " + key + " " + key, 0));
  EXPECT_EQ(a_->links_out(), 0u);
  EXPECT_TRUE(inbox_["b"].empty());
  // A replica of a primary on our own node opens nothing (phase 1: the same shard).
  a_->NoteReplica("R", "P", "a", 0);
  EXPECT_FALSE(a_->IsMirror("P"));
  EXPECT_TRUE(inbox_["a"].empty());
}

}  // namespace
}  // namespace sfu::server

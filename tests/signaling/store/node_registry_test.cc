#include "signaling/store/node_registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/redis_server.h"
#include "tests/signaling/store/store_engines.h"

namespace sfu::store {
namespace {

NodeInfo Node(const std::string& id, int64_t capacity, int64_t attendees, int64_t meetings) {
  NodeInfo n;
  n.id = id;
  n.capacity = capacity;
  n.attendees = attendees;
  n.meetings = meetings;
  return n;
}

TEST(PickNodeTest, LowestLoadPerCapacityWins) {
  // b: 100 of 1000 (0.1); a: 150 of 500 (0.3); c: 50 of 100 (0.5).
  std::vector<NodeInfo> nodes = {Node("a", 500, 150, 3), Node("b", 1000, 100, 9),
                                 Node("c", 100, 50, 1)};
  EXPECT_EQ(PickNode(nodes)->id, "b");
}

TEST(PickNodeTest, AMeetingJustCreatedCountsAsSeatsBeforeAnyoneJoins) {
  // Nobody connected anywhere yet: meetings decide, so a burst of CreateMeeting spreads.
  std::vector<NodeInfo> nodes = {Node("a", 1000, 0, 4), Node("b", 1000, 0, 3),
                                 Node("c", 1000, 0, 5)};
  EXPECT_EQ(PickNode(nodes)->id, "b");
  EXPECT_EQ(nodes[1].Load(), 3 * NodeInfo::kSeatsPerMeeting);
  // Connected attendees count when they exceed the seats.
  EXPECT_EQ(Node("x", 1000, 40, 3).Load(), 40);
}

TEST(PickReplicaNodeTest, AutoKeepsAReplicaHomeUntilThePrimaryNodeIsHalfFull) {
  // a hosts the primary: 200 of 1000 attendees, under half: the replica joins it (no link).
  std::vector<NodeInfo> nodes = {Node("a", 1000, 200, 1), Node("b", 1000, 0, 0)};
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kAuto, "a", nodes)->id, "a");
  // At half its capacity: the replica goes where there is most room, not home.
  nodes[0].attendees = 500;
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kAuto, "a", nodes)->id, "b");
  // Nobody else takes meetings: home after all, while it takes meetings.
  nodes[1].draining = true;
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kAuto, "a", nodes)->id, "a");
  nodes[0].attendees = 1000;
  EXPECT_FALSE(PickReplicaNode(ReplicaPlacement::kAuto, "a", nodes));
}

TEST(PickReplicaNodeTest, SpreadPrefersAnyOtherNodeByHeadroom) {
  std::vector<NodeInfo> nodes = {Node("a", 1000, 0, 1), Node("b", 1000, 300, 2),
                                 Node("c", 1000, 100, 2)};
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kSpread, "a", nodes)->id, "c");
  nodes[1].overloaded = nodes[2].overloaded = true;
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kSpread, "a", nodes)->id, "a");
}

TEST(PickReplicaNodeTest, PrimaryIsAlwaysHomeAndNothingWhenHomeIsDead) {
  std::vector<NodeInfo> nodes = {Node("a", 10, 10, 5), Node("b", 1000, 0, 0)};
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kPrimary, "a", nodes)->id, "a");  // even full
  EXPECT_FALSE(PickReplicaNode(ReplicaPlacement::kPrimary, "gone", nodes));
  // A primary whose node is not live: spread and auto place it elsewhere (it will end with its
  // primary when the dead node is swept).
  EXPECT_EQ(PickReplicaNode(ReplicaPlacement::kAuto, "gone", nodes)->id, "b");
}

TEST(PickNodeTest, BusyShardsCountAsLoad) {
  // a: 50 attendees but its shards at 80 % (video-heavy meetings): load 800 of 1000.
  NodeInfo a = Node("a", 1000, 50, 5);
  a.cpu = 0.8;
  NodeInfo b = Node("b", 1000, 200, 20);
  b.cpu = 0.3;
  EXPECT_EQ(a.Load(), 800);
  EXPECT_EQ(b.Load(), 300);
  EXPECT_EQ(PickNode({a, b})->id, "b");
  a.cpu = 1.0;  // at capacity by CPU: takes nothing
  EXPECT_FALSE(a.TakesMeetings());
}

TEST(PickNodeTest, TiesGoToFewerMeetingsThenTheSmallerId) {
  std::vector<NodeInfo> nodes = {Node("b", 1000, 10, 2), Node("a", 1000, 10, 2),
                                 Node("c", 1000, 10, 1)};
  // Load 10 each (attendees over 2 x seats): c has fewer meetings.
  EXPECT_EQ(PickNode(nodes)->id, "c");
  nodes.pop_back();
  EXPECT_EQ(PickNode(nodes)->id, "a");
}

TEST(PickNodeTest, DrainingOverloadedOrFullNodesTakeNothing) {
  NodeInfo draining = Node("a", 1000, 0, 0);
  draining.draining = true;
  NodeInfo overloaded = Node("b", 1000, 0, 0);
  overloaded.overloaded = true;
  NodeInfo full = Node("c", 100, 100, 10);
  NodeInfo no_capacity = Node("d", 0, 0, 0);
  EXPECT_FALSE(PickNode({draining, overloaded, full, no_capacity}).has_value());
  EXPECT_EQ(PickNode({draining, overloaded, full, no_capacity, Node("e", 10, 9, 1)})->id, "e");
  EXPECT_FALSE(PickNode({}).has_value());
}

// The registry against a private redis-server: heartbeats, live and dead nodes, the sweep lock,
// inboxes and drain requests.
class NodeRegistryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<sfu::testing::ScopedRedisServer>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_->running() || server_->Start())
        << "cannot start a private redis-server: " << server_->error();
    std::string error;
    client_ = RedisClient::Connect(AddressOf(*server_), TestRedisTimeouts(), &error);
    ASSERT_TRUE(client_) << error;
    client_->Command({"FLUSHALL"});
  }
  static NodeInfo Info(const std::string& id) {
    NodeInfo n = Node(id, 1000, 7, 0);
    n.http_base = "http://" + id;
    n.ws_base = "ws://" + id;
    n.media_host = id + ":3478";
    n.addresses = "192.0.2.1,2001:db8::1";
    n.shards = 2;
    n.cpu = 0.25;
    return n;
  }
  static inline std::unique_ptr<sfu::testing::ScopedRedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(NodeRegistryTest, HeartbeatsMakeNodesLiveUntilTheirKeyExpires) {
  NodeRegistry a(*client_, "a", 10'000);
  NodeRegistry b(*client_, "b", 300);  // a short timeout: b dies quickly
  EXPECT_FALSE(a.Heartbeat(Info("a")));
  EXPECT_FALSE(b.Heartbeat(Info("b")));
  client_->Command({"ZADD", "sfu:node-meetings:b", "1", "m1"});
  std::vector<NodeInfo> live = a.LiveNodes();
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[1].id, "b");
  EXPECT_EQ(live[1].ws_base, "ws://b");
  EXPECT_EQ(live[1].media_host, "b:3478");
  EXPECT_EQ(live[1].addresses, "192.0.2.1,2001:db8::1");
  EXPECT_EQ(live[1].shards, 2);
  EXPECT_EQ(live[1].attendees, 7);
  EXPECT_EQ(live[1].meetings, 1);  // read from the store's per-node index
  EXPECT_DOUBLE_EQ(live[1].cpu, 0.25);
  EXPECT_TRUE(a.DeadNodes().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
  EXPECT_EQ(a.LiveNodes().size(), 1u);
  EXPECT_EQ(a.DeadNodes(), std::vector<std::string>{"b"});
  EXPECT_TRUE(b.DeadNodes().empty()) << "a node never counts itself dead";
  // One sweeper: the lock is taken once.
  EXPECT_TRUE(a.ClaimSweep("b", 5000));
  EXPECT_FALSE(NodeRegistry(*client_, "c", 10'000).ClaimSweep("b", 5000));
  a.Forget("b");
  EXPECT_TRUE(a.DeadNodes().empty());
}

TEST_F(NodeRegistryTest, ALiveEntryWithAnotherUrlUnderOurIdIsAConflict) {
  NodeRegistry first(*client_, "a", 10'000);
  EXPECT_FALSE(first.ConflictingEntry("http://a").has_value()) << "free";
  first.Heartbeat(Info("a"));
  NodeRegistry restarted(*client_, "a", 10'000);
  EXPECT_FALSE(restarted.ConflictingEntry("http://a").has_value()) << "the same node again";
  std::optional<NodeInfo> other = restarted.ConflictingEntry("http://elsewhere");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->http_base, "http://a");
}

TEST_F(NodeRegistryTest, InboxesDeliverInOrderToTheirNodeOnly) {
  NodeRegistry a(*client_, "a", 10'000);
  NodeRegistry b(*client_, "b", 10'000);
  a.Send("b", "created m1");
  a.Send("b", "attendee-created m1 x");
  EXPECT_TRUE(a.Receive(10).empty());
  EXPECT_EQ(b.Receive(1), std::vector<std::string>{"created m1"});
  EXPECT_EQ(b.Receive(10), std::vector<std::string>{"attendee-created m1 x"});
  EXPECT_TRUE(b.Receive(10).empty());
  // Messages to a node that never reads them (it was swept) do not stay in Redis forever.
  a.Send("gone", "deleted m1");
  const int64_t ttl = client_->Command({"PTTL", "sfu:inbox:gone"}).AsInt();
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, NodeRegistry::kInboxTtlMs);
}

TEST_F(NodeRegistryTest, ADrainRequestIsSeenByTheNextHeartbeatAndClearedAtStart) {
  NodeRegistry a(*client_, "a", 10'000);
  EXPECT_FALSE(NodeRegistry::RequestDrain(*client_, "a")) << "not live yet";
  EXPECT_TRUE(a.Heartbeat(Info("a")));
  EXPECT_TRUE(NodeRegistry::RequestDrain(*client_, "a"));
  a.ClearDrain();
  EXPECT_FALSE(a.Heartbeat(Info("a")));
  NodeInfo draining = Info("a");
  draining.draining = true;
  a.Heartbeat(draining);
  EXPECT_TRUE(a.LiveNodes()[0].draining);
  EXPECT_FALSE(PickNode(a.LiveNodes()).has_value());
}

}  // namespace
}  // namespace sfu::store

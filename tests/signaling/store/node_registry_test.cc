#include "signaling/store/node_registry.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sfu::store

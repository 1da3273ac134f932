#include "sfu/shard_set.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <thread>

namespace sfu {
namespace {

template <class F>
bool WaitFor(F f) {
  for (int i = 0; i < 500; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// --shard-max-attendees: a shard holding that many attendees in its mixers counts as overloaded
// before any tick runs late; below it again, it takes newcomers.
TEST(ShardSetTest, AShardAtItsAttendeeCapIsOverloaded) {
  ShardSet set(2, "127.0.0.1", 0);
  set.SetMaxAttendees(3);
  set.shard(0).mutable_stats().mixing_participants.store(3);
  set.shard(1).mutable_stats().mixing_participants.store(2);
  EXPECT_TRUE(set.Overloaded(0));
  EXPECT_FALSE(set.Overloaded(1));
  EXPECT_EQ(set.Place("a"), 1);
  set.shard(1).mutable_stats().mixing_participants.store(3);
  EXPECT_TRUE(set.AllOverloaded());
  set.shard(0).mutable_stats().mixing_participants.store(2);
  EXPECT_FALSE(set.AllOverloaded());
  set.SetMaxAttendees(0);
  set.shard(0).mutable_stats().mixing_participants.store(1000);
  EXPECT_FALSE(set.Overloaded(0)) << "0: no cap";
}

// An overloaded shard (late ticks persist) takes no new meeting while another can; with all
// overloaded, AllOverloaded tells the control API and the signaling front to refuse newcomers.
TEST(ShardSetTest, NewMeetingsAvoidOverloadedShards) {
  ShardSet set(2, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(set.Start(&error)) << error;
  EXPECT_FALSE(set.AllOverloaded());
  set.ForceOverloadedForTest(0, true);
  EXPECT_TRUE(set.Overloaded(0));
  EXPECT_EQ(set.Place("a"), 1);
  EXPECT_EQ(set.Place("b"), 1) << "shard 0 has fewer meetings but runs late";
  EXPECT_FALSE(set.AllOverloaded());
  set.ForceOverloadedForTest(1, true);
  EXPECT_TRUE(set.AllOverloaded());
  set.ForceOverloadedForTest(0, false);
  EXPECT_EQ(set.Place("c"), 0);
  set.Stop();
}

TEST(ShardSetTest, PlacesOnLeastLoadedAndCounts) {
  ShardSet set(2, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(set.Start(&error)) << error;
  EXPECT_TRUE(WaitFor([&] { return set.AllRunning(); }));
  EXPECT_EQ(set.Place("a"), 0);
  EXPECT_EQ(set.Place("b"), 1);
  EXPECT_EQ(set.Place("c"), 0);
  EXPECT_EQ(set.Place("a"), 0);  // idempotent
  EXPECT_TRUE(WaitFor(
      [&] { return set.Stats()[0]->rooms.load() == 2 && set.Stats()[1]->rooms.load() == 1; }));
  set.Remove("c");
  set.Remove("a");
  EXPECT_EQ(set.Place("d"), 0);
  EXPECT_EQ(set.ShardOf("b"), 1);
  EXPECT_FALSE(set.ShardOf("a").has_value());
  set.Stop();
  EXPECT_FALSE(set.AllRunning());
}

TEST(ShardSetTest, ReplicaMeetingsGoToTheirPrimarysShard) {
  ShardSet set(3, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(set.Start(&error)) << error;
  EXPECT_TRUE(WaitFor([&] { return set.AllRunning(); }));
  EXPECT_EQ(set.Place("other"), 0);
  EXPECT_EQ(set.Place("primary"), 1);
  // Least loaded would be shard 2: the replica follows its primary instead, and counts there.
  EXPECT_EQ(set.PlaceWith("replica", "primary"), 1);
  EXPECT_EQ(set.PlaceWith("replica", "primary"), 1);  // idempotent
  EXPECT_EQ(set.RoomCount(1), 2u);
  // A primary not yet placed (a restart placing a replica first) is placed with it.
  EXPECT_EQ(set.PlaceWith("replica2", "primary2"), 2);
  EXPECT_EQ(set.ShardOf("primary2"), 2);
  EXPECT_TRUE(WaitFor([&] { return set.Stats()[1]->rooms.load() == 2; }));
  set.Remove("replica");
  EXPECT_EQ(set.RoomCount(1), 1u);
  set.Stop();
}

TEST(ShardSetTest, PostRunsOnTheShardThread) {
  ShardSet set(2, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(set.Start(&error)) << error;
  std::promise<std::thread::id> a, b;
  set.shard(0).Post([&] { a.set_value(std::this_thread::get_id()); });
  set.shard(1).Post([&] { b.set_value(std::this_thread::get_id()); });
  const auto ida = a.get_future().get(), idb = b.get_future().get();
  EXPECT_NE(ida, idb);
  EXPECT_NE(ida, std::this_thread::get_id());
  // A throwing task is contained.
  std::promise<void> after;
  set.shard(0).Post([] { throw std::runtime_error("boom"); });
  set.shard(0).Post([&] { after.set_value(); });
  after.get_future().get();
}

TEST(ShardSetTest, CountsDatagramsOnTheMediaPort) {
  ShardSet set(1, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(set.Start(&error)) << error;
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(set.shard(0).media_port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char payload[] = "garbage";
  for (int i = 0; i < 3; ++i)
    ::sendto(fd, payload, sizeof(payload), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  ::close(fd);
  const ShardStats& s = *set.Stats()[0];
  // The first byte ('g') fits no RFC 7983 range: counted and dropped as malformed.
  EXPECT_TRUE(
      WaitFor([&] { return s.drops[static_cast<size_t>(DropReason::kMalformed)].load() == 3; }));
  EXPECT_EQ(s.packets_in.load(), 3u);
  EXPECT_EQ(s.bytes_in.load(), 3 * sizeof(payload));
}

TEST(ShardSetTest, PortInUseIsAClearError) {
  ShardSet first(1, "127.0.0.1", 0);
  std::string error;
  ASSERT_TRUE(first.Start(&error));
  ShardSet second(1, "127.0.0.1", first.shard(0).media_port());
  EXPECT_FALSE(second.Start(&error));
  EXPECT_NE(error.find("cannot bind UDP"), std::string::npos) << error;
  EXPECT_NE(error.find("shard 0"), std::string::npos) << error;
}

}  // namespace
}  // namespace sfu

// The store's durable queue of meeting events (docs/EVENTS.md), for both engines
// (tests/signaling/store/store_engines.h): SQLite schema 4, Redis this node's queue.
#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/signaling/store/store_engines.h"

namespace sfu::store {
namespace {

class EventQueueTest : public EngineTest {
 protected:
  static std::vector<int64_t> Seqs(const std::vector<QueuedEvent>& v) {
    std::vector<int64_t> out;
    for (const QueuedEvent& e : v) out.push_back(e.seq);
    return out;
  }
  const std::vector<std::string> both_{"http://a/", "http://b/"};
};

TEST_P(EventQueueTest, EventsComeBackInOrderPerDestination) {
  auto& s = store_;
  const int64_t s1 = s->EnqueueEvent("e1", "m1", "{1}", 10, both_);
  const int64_t s2 = s->EnqueueEvent("e2", "m2", "{2}", 11, both_);
  const int64_t s3 = s->EnqueueEvent("e3", "m1", "{3}", 12, {"http://a/"});
  EXPECT_LT(s1, s2);
  EXPECT_LT(s2, s3);
  const auto a = s->PendingEvents("http://a/", 0, 10);
  EXPECT_EQ(Seqs(a), (std::vector<int64_t>{s1, s2, s3}));
  EXPECT_EQ(a[0].event_id, "e1");
  EXPECT_EQ(a[0].meeting_id, "m1");
  EXPECT_EQ(a[2].body, "{3}");
  EXPECT_EQ(Seqs(s->PendingEvents("http://b/", 0, 10)), (std::vector<int64_t>{s1, s2}));
  EXPECT_EQ(Seqs(s->PendingEvents("http://a/", s1, 1)), (std::vector<int64_t>{s2}));
  EXPECT_EQ(s->CountPendingEvents("http://a/"), 3);
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 2);
  EXPECT_EQ(s->CountPendingEvents("http://c/"), 0);
}

TEST_P(EventQueueTest, AnAckRemovesOneDeliveryAndTheEventWithItsLast) {
  auto& s = store_;
  const int64_t s1 = s->EnqueueEvent("e1", "m1", "{1}", 10, both_);
  EXPECT_TRUE(s->AckEvent("http://a/", s1));
  EXPECT_FALSE(s->AckEvent("http://a/", s1));  // twice: already gone
  EXPECT_EQ(s->CountPendingEvents("http://a/"), 0);
  // b still needs it: the body is still there.
  ASSERT_EQ(s->PendingEvents("http://b/", 0, 10).size(), 1u);
  EXPECT_EQ(s->PendingEvents("http://b/", 0, 10)[0].body, "{1}");
  EXPECT_TRUE(s->AckEvent("http://b/", s1));
  EXPECT_TRUE(s->PendingEvents("http://b/", 0, 10).empty());
}

TEST_P(EventQueueTest, DropOldestRemovesTheHeadOfOneDestinationOnly) {
  auto& s = store_;
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i)
    seqs.push_back(s->EnqueueEvent("e" + std::to_string(i), "m", "{}", i, both_));
  EXPECT_EQ(s->DropOldestEvents("http://a/", 2), seqs[1]);
  EXPECT_EQ(Seqs(s->PendingEvents("http://a/", 0, 10)),
            (std::vector<int64_t>{seqs[2], seqs[3], seqs[4]}));
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 5);
  EXPECT_EQ(s->DropOldestEvents("http://a/", 0), 0);
  EXPECT_EQ(s->DropOldestEvents("http://c/", 3), 0);
}

TEST_P(EventQueueTest, QueueSurvivesReopen) {
  const int64_t s1 = store_->EnqueueEvent("e1", "m1", "{1}", 10, both_);
  const int64_t s2 = store_->EnqueueEvent("e2", "m1", "{2}", 11, both_);
  store_->AckEvent("http://a/", s1);
  Reopen();
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", 0, 10)), (std::vector<int64_t>{s2}));
  EXPECT_EQ(store_->CountPendingEvents("http://b/"), 2);
  // New events keep counting up after a restart.
  EXPECT_GT(store_->EnqueueEvent("e3", "m1", "{3}", 12, both_), s2);
}

TEST_P(EventQueueTest, DropOldestBeyondTheQueueDropsAll) {
  const int64_t s1 = store_->EnqueueEvent("e1", "m", "{}", 1, both_);
  const int64_t s2 = store_->EnqueueEvent("e2", "m", "{}", 2, {"http://a/"});
  EXPECT_EQ(store_->DropOldestEvents("http://a/", 10), s2);
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(store_->DropOldestEvents("http://a/", 1), 0);
  // b's delivery of the shared event is still there, body and all.
  const auto b = store_->PendingEvents("http://b/", 0, 10);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].seq, s1);
  EXPECT_EQ(b[0].event_id, "e1");
  EXPECT_TRUE(store_->AckEvent("http://b/", s1));
  EXPECT_FALSE(store_->AckEvent("http://a/", s1));
}

TEST_P(EventQueueTest, PendingPagesBySeq) {
  std::vector<int64_t> seqs;
  for (int i = 0; i < 5; ++i)
    seqs.push_back(store_->EnqueueEvent("e" + std::to_string(i), "m", "{}", i, {"http://a/"}));
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", 0, 2)),
            (std::vector<int64_t>{seqs[0], seqs[1]}));
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", seqs[1], 2)),
            (std::vector<int64_t>{seqs[2], seqs[3]}));
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", seqs[3], 2)), (std::vector<int64_t>{seqs[4]}));
  EXPECT_TRUE(store_->PendingEvents("http://a/", seqs[4], 2).empty());
  EXPECT_TRUE(store_->PendingEvents("http://a/", 0, 0).empty());
  store_->AckEvent("http://a/", seqs[2]);  // acknowledged out of order
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", seqs[1], 2)),
            (std::vector<int64_t>{seqs[3], seqs[4]}));
}

TEST_P(EventQueueTest, AnEventWithoutDestinationsIsNotPending) {
  const int64_t s1 = store_->EnqueueEvent("e1", "m", "{}", 1, {});
  const int64_t s2 = store_->EnqueueEvent("e2", "m", "{}", 2, {"http://a/"});
  EXPECT_GT(s1, 0);
  EXPECT_GT(s2, s1);
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", 0, 10)), (std::vector<int64_t>{s2}));
}

TEST_P(EventQueueTest, BodiesComeBackByteForByte) {
  const std::string body =
      R"({"detail":{"eventType":"chime:AttendeeJoined","name":"é "q" \ / 
"}})"
      "â";
  const int64_t s1 = store_->EnqueueEvent("e1", "m1", body, 1, {"http://a/"});
  const auto got = store_->PendingEvents("http://a/", 0, 10);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, s1);
  EXPECT_EQ(got[0].body, body);
}

// The event dispatcher's transaction (signaling/events/event_dispatcher.cc): an event and the
// drops it causes commit together, or neither does.
TEST_P(EventQueueTest, EnqueueAndDropCommitTogether) {
  const int64_t s1 = store_->EnqueueEvent("e1", "m", "{1}", 1, both_);
  const int64_t s2 = store_->EnqueueEvent("e2", "m", "{2}", 2, both_);
  int64_t s3 = 0, dropped = 0;
  store_->Transaction([&] {
    s3 = store_->EnqueueEvent("e3", "m", "{3}", 3, both_);
    dropped = store_->DropOldestEvents("http://a/", 1);
  });
  EXPECT_EQ(dropped, s1);
  EXPECT_EQ(Seqs(store_->PendingEvents("http://a/", 0, 10)), (std::vector<int64_t>{s2, s3}));
  EXPECT_EQ(Seqs(store_->PendingEvents("http://b/", 0, 10)), (std::vector<int64_t>{s1, s2, s3}));

  // Dropping more than was there before the transaction reaches the events enqueued in it.
  int64_t s4 = 0;
  store_->Transaction([&] {
    s4 = store_->EnqueueEvent("e4", "m", "{4}", 4, both_);
    dropped = store_->DropOldestEvents("http://a/", 3);
  });
  EXPECT_EQ(dropped, s4);
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(store_->CountPendingEvents("http://b/"), 4);

  EXPECT_THROW(store_->Transaction([&] {
    store_->EnqueueEvent("e5", "m", "{5}", 5, both_);
    EXPECT_EQ(store_->DropOldestEvents("http://b/", 2), s2);
    EXPECT_TRUE(store_->AckEvent("http://b/", s3));
    throw std::runtime_error("undo");
  }),
               std::runtime_error);
  EXPECT_EQ(Seqs(store_->PendingEvents("http://b/", 0, 10)),
            (std::vector<int64_t>{s1, s2, s3, s4}));
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(store_->PendingEvents("http://b/", 0, 10)[0].body, "{1}");
}

TEST_P(EventQueueTest, ForgettingADestinationKeepsTheOthers) {
  auto& s = store_;
  s->EnqueueEvent("e1", "m1", "{1}", 10, both_);
  s->EnqueueEvent("e2", "m1", "{2}", 11, {"http://a/"});
  EXPECT_EQ(s->ForgetEventDestinationsExcept({"http://b/"}), 2);
  EXPECT_EQ(s->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 1);
  EXPECT_EQ(s->ForgetEventDestinationsExcept({"http://b/"}), 0);
  EXPECT_EQ(s->PendingEvents("http://b/", 0, 10)[0].body, "{1}");
  // A destination configured again starts empty.
  EXPECT_TRUE(s->PendingEvents("http://a/", 0, 10).empty());
  EXPECT_EQ(s->ForgetEventDestinationsExcept({}), 1);
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, EventQueueTest, ::testing::Values("sqlite", "redis"), EngineName);

}  // namespace
}  // namespace sfu::store

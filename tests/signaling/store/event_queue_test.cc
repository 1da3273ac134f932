// The store's durable queue of meeting events (schema 4, docs/EVENTS.md).
#include <gtest/gtest.h>

#include "signaling/store/meeting_store.h"
#include "tests/test_util.h"

namespace sfu::store {
namespace {

class EventQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<MeetingStore> Open() {
    std::string error;
    auto s = MeetingStore::Open(tmp_.str(), &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  static std::vector<int64_t> Seqs(const std::vector<QueuedEvent>& v) {
    std::vector<int64_t> out;
    for (const QueuedEvent& e : v) out.push_back(e.seq);
    return out;
  }
  sfu::testing::ScopedTempDir tmp_;
  const std::vector<std::string> both_{"http://a/", "http://b/"};
};

TEST_F(EventQueueTest, EventsComeBackInOrderPerDestination) {
  auto s = Open();
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

TEST_F(EventQueueTest, AnAckRemovesOneDeliveryAndTheEventWithItsLast) {
  auto s = Open();
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

TEST_F(EventQueueTest, DropOldestRemovesTheHeadOfOneDestinationOnly) {
  auto s = Open();
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

TEST_F(EventQueueTest, QueueSurvivesReopen) {
  int64_t s2 = 0;
  {
    auto s = Open();
    const int64_t s1 = s->EnqueueEvent("e1", "m1", "{1}", 10, both_);
    s2 = s->EnqueueEvent("e2", "m1", "{2}", 11, both_);
    s->AckEvent("http://a/", s1);
  }
  auto s = Open();
  EXPECT_EQ(Seqs(s->PendingEvents("http://a/", 0, 10)), (std::vector<int64_t>{s2}));
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 2);
  // New events keep counting up after a restart.
  EXPECT_GT(s->EnqueueEvent("e3", "m1", "{3}", 12, both_), s2);
}

TEST_F(EventQueueTest, ForgettingADestinationKeepsTheOthers) {
  auto s = Open();
  s->EnqueueEvent("e1", "m1", "{1}", 10, both_);
  s->EnqueueEvent("e2", "m1", "{2}", 11, {"http://a/"});
  EXPECT_EQ(s->ForgetEventDestinationsExcept({"http://b/"}), 2);
  EXPECT_EQ(s->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(s->CountPendingEvents("http://b/"), 1);
  EXPECT_EQ(s->ForgetEventDestinationsExcept({"http://b/"}), 0);
}

}  // namespace
}  // namespace sfu::store

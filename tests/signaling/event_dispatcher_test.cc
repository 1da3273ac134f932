// The application-event dispatcher (signaling/events/event_dispatcher.h) with fake channels, and
// the webhook worker against a receiver on loopback.
#include "signaling/events/event_dispatcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "signaling/events/webhook_worker.h"
#include "tests/test_util.h"

namespace sfu::signaling {
namespace {

namespace json = boost::json;

// Records what it is handed; the test acknowledges by calling OnDelivered.
class FakeChannel : public EventChannel {
 public:
  void Hand(std::vector<store::QueuedEvent> events) override {
    for (auto& e : events) handed.push_back(std::move(e));
  }
  void DropThrough(int64_t seq) override { drop_through = std::max(drop_through, seq); }
  std::vector<store::QueuedEvent> handed;
  int64_t drop_through = 0;
};

std::string TypeOf(const store::QueuedEvent& e) {
  return std::string(json::parse(e.body).at("detail").at("eventType").as_string());
}

class EventDispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = OpenStore(); }
  std::unique_ptr<store::MeetingStore> OpenStore() {
    std::string error;
    auto s = store::MeetingStore::Open(tmp_.str(), &error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  std::unique_ptr<EventDispatcher> Make(int64_t max_queue = 10'000, int64_t window = 64) {
    EventDispatcherConfig c;
    c.max_queue_per_destination = max_queue;
    c.window = window;
    auto d = std::make_unique<EventDispatcher>(*store_, clock_, c, urls_, nullptr);
    d->Start({&a_, &b_});
    return d;
  }
  store::MeetingRecord AddMeeting(const std::string& id) {
    store::MeetingRecord m;
    m.meeting_id = id;
    m.client_request_token = "tok-" + id;
    m.fingerprint = "fp";
    m.media_region = "eu-west-1";
    m.external_meeting_id = "ext-" + id;
    m.max_attendees = 10;
    store_->InsertMeeting(m);
    return m;
  }
  store::AttendeeRecord AddAttendee(const std::string& meeting, const std::string& id) {
    std::vector<store::AttendeeRecord> v(1);
    v[0].meeting_id = meeting;
    v[0].attendee_id = id;
    v[0].external_user_id = "user-" + id;
    store_->InsertAttendees(&v);
    return v[0];
  }
  static std::vector<std::string> Types(const FakeChannel& c) {
    std::vector<std::string> out;
    for (const auto& e : c.handed) out.push_back(TypeOf(e));
    return out;
  }

  sfu::testing::ScopedTempDir tmp_;
  std::unique_ptr<store::MeetingStore> store_;
  base::FakeClock clock_;
  std::vector<std::string> urls_{"http://a/", "http://b/"};
  FakeChannel a_, b_;
};

TEST_F(EventDispatcherTest, ScriptedMeetingGivesTheAwsEventsInOrder) {
  auto d = Make();
  const auto m = AddMeeting("m1");
  d->MeetingCreated(m);
  const auto alice = AddAttendee("m1", "alice");
  d->AttendeeAdded(alice);
  d->Joined("m1", "alice", "user-alice", false, 1);
  d->Video("m1", "alice", 1, true);
  d->Video("m1", "alice", 1, true);  // unchanged: nothing
  d->Joined("m1", "alice#content", "user-alice", true, 2);
  d->Video("m1", "alice#content", 2, true);
  d->Ended("m1", "alice#content", 2, /*left=*/true);
  d->Ended("m1", "alice", 1, /*left=*/true);
  d->Ended("m1", "alice", 1, /*left=*/false);  // the destructor after LEAVE: ignored
  store_->DeleteAttendee("m1", "alice");
  d->AttendeeDeleted("m1", "alice");
  store_->DeleteMeeting("m1");
  d->MeetingEnded("m1");
  const std::vector<std::string> want = {"chime:MeetingStarted",
                                         "chime:AttendeeAdded",
                                         "chime:AttendeeJoined",
                                         "chime:AttendeeVideoStarted",
                                         "chime:AttendeeContentJoined",
                                         "chime:AttendeeContentVideoStarted",
                                         "chime:AttendeeContentVideoStopped",
                                         "chime:AttendeeContentLeft",
                                         "chime:AttendeeVideoStopped",
                                         "chime:AttendeeLeft",
                                         "chime:AttendeeDeleted",
                                         "chime:MeetingEnded"};
  EXPECT_EQ(Types(a_), want);
  EXPECT_EQ(Types(b_), want);
  // Content events name the sharing attendee; every event has the meeting's ids.
  for (const auto& e : a_.handed) {
    const json::object detail = json::parse(e.body).at("detail").as_object();
    EXPECT_EQ(detail.at("meetingId"), "m1");
    EXPECT_EQ(detail.at("externalMeetingId"), "ext-m1");
    EXPECT_EQ(detail.at("mediaRegion"), "eu-west-1");
    if (detail.contains("attendeeId")) {
      EXPECT_EQ(detail.at("attendeeId"), "alice");
      EXPECT_EQ(detail.at("externalUserId"), "user-alice");  // also after the deletion
    }
  }
  // Sequence numbers increase.
  for (size_t i = 1; i < a_.handed.size(); ++i) EXPECT_LT(a_.handed[i - 1].seq, a_.handed[i].seq);
}

TEST_F(EventDispatcherTest, ReconnectIsADropThenAJoinAndTheOldSessionsEndIsIgnored) {
  auto d = Make();
  d->MeetingCreated(AddMeeting("m1"));
  d->Joined("m1", "bob", "user-bob", false, 1);
  d->Video("m1", "bob", 1, true);
  d->Joined("m1", "bob", "user-bob", false, 2);  // a reconnect from a new socket
  d->Ended("m1", "bob", 1, false);               // the old socket closes later: ignored
  d->Video("m1", "bob", 1, false);               // and so is anything else it says
  d->Ended("m1", "bob", 2, false);               // the new one drops
  EXPECT_EQ(Types(a_),
            (std::vector<std::string>{"chime:MeetingStarted", "chime:AttendeeJoined",
                                      "chime:AttendeeVideoStarted", "chime:AttendeeVideoStopped",
                                      "chime:AttendeeDropped", "chime:AttendeeJoined",
                                      "chime:AttendeeDropped"}));
}

TEST_F(EventDispatcherTest, DeletingAJoinedAttendeeOrMeetingMakesThemLeaveFirst) {
  auto d = Make();
  d->MeetingCreated(AddMeeting("m1"));
  d->AttendeeAdded(AddAttendee("m1", "carol"));
  d->AttendeeAdded(AddAttendee("m1", "dave"));
  d->Joined("m1", "carol", "user-carol", false, 1);
  d->Joined("m1", "carol#content", "user-carol", true, 2);
  d->Joined("m1", "dave", "user-dave", false, 3);
  store_->DeleteAttendee("m1", "carol");
  d->AttendeeDeleted("m1", "carol");
  d->Ended("m1", "carol", 1, false);  // the session closes after the 411: already accounted for
  store_->DeleteMeeting("m1");
  d->MeetingEnded("m1");
  EXPECT_EQ(Types(a_),
            (std::vector<std::string>{
                "chime:MeetingStarted", "chime:AttendeeAdded", "chime:AttendeeAdded",
                "chime:AttendeeJoined", "chime:AttendeeContentJoined", "chime:AttendeeJoined",
                "chime:AttendeeLeft", "chime:AttendeeContentLeft", "chime:AttendeeDeleted",
                "chime:AttendeeLeft", "chime:MeetingEnded"}));
}

TEST_F(EventDispatcherTest, ShutdownDropsJoinedSessions) {
  auto d = Make();
  d->MeetingCreated(AddMeeting("m1"));
  d->Joined("m1", "erin", "user-erin", false, 1);
  d->DropAllSessions();
  d->Ended("m1", "erin", 1, false);
  EXPECT_EQ(Types(a_), (std::vector<std::string>{"chime:MeetingStarted", "chime:AttendeeJoined",
                                                 "chime:AttendeeDropped"}));
}

TEST_F(EventDispatcherTest, DeliveryIsAWindowAtATimeAndAcksRefillIt) {
  auto d = Make(10'000, /*window=*/3);
  d->MeetingCreated(AddMeeting("m1"));
  for (int i = 0; i < 6; ++i) d->AttendeeAdded(AddAttendee("m1", "x" + std::to_string(i)));
  ASSERT_EQ(a_.handed.size(), 3u);  // 7 queued, 3 handed
  EXPECT_EQ(d->queue_depth(0), 7);
  d->OnDelivered(0, a_.handed[0].seq);
  ASSERT_EQ(a_.handed.size(), 4u);
  EXPECT_EQ(d->queue_depth(0), 6);
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 6);
  // b never acknowledges: its state does not move, a's keeps going.
  for (size_t i = 1; i < 7; ++i) d->OnDelivered(0, a_.handed[i].seq);
  EXPECT_EQ(a_.handed.size(), 7u);
  EXPECT_EQ(d->queue_depth(0), 0);
  EXPECT_EQ(b_.handed.size(), 3u);
  EXPECT_EQ(d->queue_depth(1), 7);
  EXPECT_EQ(store_->CountPendingEvents("http://b/"), 7);
}

TEST_F(EventDispatcherTest, AFullQueueDropsItsOldestAndCountsThem) {
  auto d = Make(/*max_queue=*/4, /*window=*/2);
  d->MeetingCreated(AddMeeting("m1"));
  for (int i = 0; i < 5; ++i) d->AttendeeAdded(AddAttendee("m1", "y" + std::to_string(i)));
  // 6 events for a queue of 4: the two oldest are dropped from both destinations.
  EXPECT_EQ(d->queue_depth(0), 4);
  EXPECT_EQ(d->dropped(0), 2);
  EXPECT_EQ(d->dropped(1), 2);
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 4);
  // Both handed events were dropped: the channel is told, and gets the next two.
  ASSERT_EQ(a_.handed.size(), 4u);
  EXPECT_EQ(a_.drop_through, a_.handed[1].seq);
  const auto left = store_->PendingEvents("http://a/", 0, 10);
  ASSERT_EQ(left.size(), 4u);
  EXPECT_EQ(left[0].seq, a_.handed[2].seq);
  // A late acknowledgement of a dropped event changes nothing.
  d->OnDelivered(0, a_.handed[0].seq);
  EXPECT_EQ(d->queue_depth(0), 4);
  // Delivering drains the rest in order.
  d->OnDelivered(0, a_.handed[2].seq);
  d->OnDelivered(0, a_.handed[3].seq);
  ASSERT_EQ(a_.handed.size(), 6u);
  EXPECT_EQ(a_.handed[4].seq, left[2].seq);
  EXPECT_EQ(TypeOf(a_.handed.back()), "chime:AttendeeAdded");
  EXPECT_EQ(d->queue_depth(0), 2);
}

TEST_F(EventDispatcherTest, ARestartHandsWhatWasNotDeliveredAndKnowsStoredAttendees) {
  int64_t first = 0;
  {
    auto d = Make();
    d->MeetingCreated(AddMeeting("m1"));
    d->AttendeeAdded(AddAttendee("m1", "zed"));
    first = a_.handed[0].seq;
    d->OnDelivered(0, first);
  }
  store_.reset();
  store_ = OpenStore();
  FakeChannel a2, b2;
  EventDispatcher d(*store_, clock_, {}, urls_, nullptr);
  d.Start({&a2, &b2});
  ASSERT_EQ(a2.handed.size(), 1u);  // AttendeeAdded
  EXPECT_EQ(TypeOf(a2.handed[0]), "chime:AttendeeAdded");
  ASSERT_EQ(b2.handed.size(), 2u);  // both
  EXPECT_EQ(b2.handed[0].seq, first);
  // The attendee's external id is known after the restart although it was never seen by it.
  store_->DeleteAttendee("m1", "zed");
  d.AttendeeDeleted("m1", "zed");
  EXPECT_EQ(json::parse(a2.handed.back().body).at("detail").at("externalUserId"), "user-zed");
}

TEST_F(EventDispatcherTest, ADestinationRemovedFromTheConfigIsForgotten) {
  {
    auto d = Make();
    d->MeetingCreated(AddMeeting("m1"));
  }
  FakeChannel only;
  EventDispatcher d(*store_, clock_, {}, {"http://b/"}, nullptr);
  d.Start({&only});
  EXPECT_EQ(store_->CountPendingEvents("http://a/"), 0);
  EXPECT_EQ(only.handed.size(), 1u);
}

// A receiver on loopback: answers each request with the next status of `statuses` (then 200).
class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Run(); });
  }
  ~Receiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Run() {
    for (size_t i = 0;; ++i) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      for (;;) {
        const size_t head_end = req.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          const size_t cl = req.find("Content-Length: ");
          const size_t need = head_end + 4 + std::stoul(req.substr(cl + 16));
          if (req.size() >= need) break;
        }
        const ssize_t n = ::recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      const int status = i < statuses_.size() ? statuses_[i] : 200;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(req);
      }
      const std::string resp = "HTTP/1.1 " + std::to_string(status) +
                               " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      ::send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  std::vector<int> statuses_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> requests_;
};

TEST(WebhookWorkerTest, DeliversInOrderRetriesFailuresAndSignsEachBody) {
  Receiver receiver({500, 200, 503});  // event 1 fails once, event 2 fails once
  WebhookWorkerConfig c;
  std::string error;
  c.url = *api::ParseWebhookUrl("http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook?k=1",
                                &error);
  c.secret = "secret-0123456789";
  c.initial_backoff_ms = 1;
  c.max_backoff_ms = 4;
  std::mutex mu;
  std::vector<int64_t> delivered;
  int failed = 0;
  std::promise<void> done;
  WebhookWorker w(
      c, [](std::function<void()> task) { task(); },  // "the control thread" is the caller
      [&](int64_t seq) {
        std::lock_guard<std::mutex> lock(mu);
        delivered.push_back(seq);
        if (delivered.size() == 3) done.set_value();
      },
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        ++failed;
      });
  w.Start();
  w.Hand({{1, "id-1", "m", R"({"detail":{"timestamp":123}})"}, {2, "id-2", "m", "{\"b\":2}"}});
  w.Hand({{3, "id-3", "m", "{\"c\":3}"}});
  ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  w.Stop();
  EXPECT_EQ(delivered, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(failed, 2);
  const auto reqs = receiver.requests();
  ASSERT_EQ(reqs.size(), 5u);
  EXPECT_EQ(reqs[0].rfind("POST /hook?k=1 HTTP/1.1\r\n", 0), 0u) << reqs[0];
  EXPECT_NE(reqs[0].find("X-Sfu-Event-Id: id-1\r\n"), std::string::npos);
  EXPECT_NE(reqs[0].find("X-Sfu-Event-Timestamp: 123\r\n"), std::string::npos);
  EXPECT_NE(reqs[0].find("X-Sfu-Delivery-Attempt: 1\r\n"), std::string::npos);
  EXPECT_NE(reqs[1].find("X-Sfu-Delivery-Attempt: 2\r\n"), std::string::npos);
  EXPECT_NE(reqs[1].find("X-Sfu-Event-Seq: 1\r\n"), std::string::npos);
  EXPECT_NE(reqs[2].find("X-Sfu-Event-Seq: 2\r\n"), std::string::npos);
  EXPECT_NE(reqs[3].find("X-Sfu-Event-Seq: 2\r\n"), std::string::npos);
  EXPECT_NE(reqs[4].find("X-Sfu-Event-Seq: 3\r\n"), std::string::npos);
  EXPECT_NE(reqs[4].find("Content-Type: application/json\r\n"), std::string::npos);
  EXPECT_NE(
      reqs[4].find("X-Sfu-Signature: " + api::WebhookSignature(c.secret, "{\"c\":3}") + "\r\n"),
      std::string::npos);
  EXPECT_EQ(reqs[4].substr(reqs[4].size() - 7), "{\"c\":3}");
}

TEST(WebhookWorkerTest, DroppedEventsAreNotSentAndARefusedConnectionIsRetried) {
  // A port with nothing listening: every attempt fails until the worker is stopped.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(probe);
  WebhookWorkerConfig c;
  std::string error;
  c.url = *api::ParseWebhookUrl("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/",
                                &error);
  c.initial_backoff_ms = 1;
  c.max_backoff_ms = 2;
  std::atomic<int> failed{0};
  std::atomic<int> delivered{0};
  WebhookWorker w(
      c, [](std::function<void()> task) { task(); }, [&](int64_t) { ++delivered; },
      [&] { ++failed; });
  w.Start();
  w.Hand({{1, "id-1", "m", "{}"}, {2, "id-2", "m", "{}"}});
  for (int i = 0; i < 3000 && failed < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(failed.load(), 3);
  w.DropThrough(2);
  w.Stop();
  EXPECT_EQ(delivered.load(), 0);
}

}  // namespace
}  // namespace sfu::signaling

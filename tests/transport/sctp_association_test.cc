// Two SctpAssociations in one process, wired back to back: each one's outgoing SCTP packets are
// queued on a single-threaded test executor and fed to the other's OnIncomingPacket (never
// re-entrantly). The executor is also both associations' `post`, and the test thread pumps it,
// so it plays the owning shard; every Listener call must arrive on the test thread.
#include "transport/sctp/sctp_association.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "transport/sctp/sctp_hub.h"
#include "transport/wire/dcep.h"

namespace sfu::transport {
namespace {

using State = SctpAssociation::State;
using namespace std::chrono_literals;

// Thread-safe queue, run by the test thread (usrsctp's timer thread posts into it too).
class Executor {
 public:
  void Post(std::function<void()> f) {
    std::lock_guard l(mutex_);
    tasks_.push_back(std::move(f));
  }
  size_t RunPending() {
    std::deque<std::function<void()>> batch;
    {
      std::lock_guard l(mutex_);
      batch.swap(tasks_);
    }
    for (auto& f : batch) f();
    return batch.size();
  }
  SctpAssociation::PostFn post() {
    return [this](std::function<void()> f) { Post(std::move(f)); };
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
};

struct Message {
  uint16_t stream;
  bool binary;
  std::vector<uint8_t> data;
};

class Peer : public SctpAssociation::Listener {
 public:
  explicit Peer(Executor* ex) : ex_(ex) {}
  void Create() { assoc = std::make_unique<SctpAssociation>(this, ex_->post()); }
  void WireTo(Peer* other) { other_ = other; }

  void OnSctpOutgoingPacket(std::span<const uint8_t> packet) override {
    CheckThread();
    if (drop_output || other_ == nullptr) return;
    ex_->Post([other = other_, p = std::vector<uint8_t>(packet.begin(), packet.end())] {
      if (other->assoc) other->assoc->OnIncomingPacket(p);
    });
  }
  void OnDataChannelOpen(uint16_t stream_id, const std::string& label,
                         const std::string& protocol) override {
    CheckThread();
    opens.emplace_back(stream_id, label, protocol);
  }
  void OnDataChannelMessage(uint16_t stream_id, bool binary,
                            std::span<const uint8_t> data) override {
    CheckThread();
    messages.push_back(Message{stream_id, binary, std::vector<uint8_t>(data.begin(), data.end())});
  }
  void OnSctpStateChange(State state) override {
    CheckThread();
    states.push_back(state);
  }
  void OnDataChannelClosed(uint16_t stream_id) override {
    CheckThread();
    closed.push_back(stream_id);
  }

  State last_state() const { return states.empty() ? State::kNew : states.back(); }

  std::unique_ptr<SctpAssociation> assoc;
  std::vector<State> states;
  std::vector<std::tuple<uint16_t, std::string, std::string>> opens;
  std::vector<Message> messages;
  std::vector<uint16_t> closed;
  bool drop_output = false;

 private:
  void CheckThread() { EXPECT_EQ(std::this_thread::get_id(), owner_) << "Listener off its thread"; }

  Executor* ex_;
  Peer* other_ = nullptr;
  const std::thread::id owner_ = std::this_thread::get_id();
};

// Pumps the executor until pred() holds or the deadline passes.
template <typename Pred>
bool PumpUntil(Executor& ex, Pred pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const size_t ran = ex.RunPending();
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (ran == 0) std::this_thread::sleep_for(1ms);
  }
}

void PumpFor(Executor& ex, std::chrono::milliseconds d) {
  PumpUntil(
      ex, [] { return false; }, d);
}

std::vector<uint8_t> Bytes(const std::string& s) {
  return std::vector<uint8_t>(s.begin(), s.end());
}

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
  return v;
}

class SctpAssociationTest : public ::testing::Test {
 protected:
  SctpAssociationTest() : server_(&ex_), client_(&ex_) {
    server_.WireTo(&client_);
    client_.WireTo(&server_);
    server_.Create();
    client_.Create();
  }
  ~SctpAssociationTest() override {
    server_.assoc.reset();
    client_.assoc.reset();
    ex_.RunPending();  // queued tasks of destroyed associations must be harmless
  }

  void Connect() {
    server_.assoc->Start();
    client_.assoc->Start();
    ASSERT_TRUE(PumpUntil(ex_, [&] {
      return server_.last_state() == State::kConnected && client_.last_state() == State::kConnected;
    }));
  }
  // Client opens a channel on stream 0 (even: the DTLS client's), both sides see it open.
  void ConnectAndOpen(uint16_t stream = 0, const std::string& label = "chat",
                      const std::string& protocol = "chime") {
    Connect();
    ASSERT_TRUE(client_.assoc->OpenChannel(stream, label, protocol));
    ASSERT_TRUE(PumpUntil(ex_, [&] { return !server_.opens.empty() && !client_.opens.empty(); }));
  }

  Executor ex_;
  Peer server_;
  Peer client_;
};

TEST(SctpHubTest, ConnAddressRoundTripsAnId) {
  EXPECT_EQ(reinterpret_cast<uintptr_t>(SctpHub::ConnAddress(42)), 42u);
}

TEST_F(SctpAssociationTest, Establishes) {
  Connect();
  EXPECT_EQ(server_.states, (std::vector<State>{State::kConnecting, State::kConnected}));
  EXPECT_EQ(client_.states, (std::vector<State>{State::kConnecting, State::kConnected}));
  EXPECT_EQ(server_.assoc->state(), State::kConnected);
  EXPECT_GT(server_.assoc->stats().packets_in, 0u);
  EXPECT_GT(server_.assoc->stats().packets_out, 0u);
}

TEST_F(SctpAssociationTest, EstablishesWhenOnlyThePeerSendsInit) {
  // The server never calls Start(): the client's INIT starts it (passive side).
  client_.assoc->Start();
  ASSERT_TRUE(PumpUntil(ex_, [&] {
    return server_.last_state() == State::kConnected && client_.last_state() == State::kConnected;
  }));
}

TEST_F(SctpAssociationTest, OpenIsAcknowledgedAndReportedOnBothSides) {
  ConnectAndOpen(0, "chat", "chime");
  ASSERT_EQ(server_.opens.size(), 1u);
  EXPECT_EQ(server_.opens[0],
            std::make_tuple(uint16_t{0}, std::string("chat"), std::string("chime")));
  ASSERT_EQ(client_.opens.size(), 1u);  // after the DATA_CHANNEL_ACK
  EXPECT_EQ(client_.opens[0], server_.opens[0]);
  EXPECT_TRUE(server_.assoc->IsChannelOpen(0));
  EXPECT_TRUE(client_.assoc->IsChannelOpen(0));
  EXPECT_FALSE(client_.assoc->IsChannelOpen(2));
  // A stream already in use cannot be opened again.
  EXPECT_FALSE(client_.assoc->OpenChannel(0, "again"));
  EXPECT_EQ(server_.assoc->stats().dcep_errors, 0u);
  EXPECT_EQ(client_.assoc->stats().dcep_errors, 0u);
}

TEST_F(SctpAssociationTest, StringAndBinaryMessagesRoundTripBothWays) {
  ConnectAndOpen();
  ASSERT_TRUE(client_.assoc->Send(0, false, Bytes("hello")));
  ASSERT_TRUE(client_.assoc->Send(0, true, std::vector<uint8_t>{0, 1, 2, 0xFF}));
  ASSERT_TRUE(client_.assoc->Send(0, false, {}));  // PPID 56
  ASSERT_TRUE(client_.assoc->Send(0, true, {}));   // PPID 57
  ASSERT_TRUE(PumpUntil(ex_, [&] { return server_.messages.size() == 4; }));
  EXPECT_EQ(server_.messages[0].data, Bytes("hello"));
  EXPECT_FALSE(server_.messages[0].binary);
  EXPECT_EQ(server_.messages[1].data, (std::vector<uint8_t>{0, 1, 2, 0xFF}));
  EXPECT_TRUE(server_.messages[1].binary);
  EXPECT_TRUE(server_.messages[2].data.empty());
  EXPECT_FALSE(server_.messages[2].binary);
  EXPECT_TRUE(server_.messages[3].data.empty());
  EXPECT_TRUE(server_.messages[3].binary);

  ASSERT_TRUE(server_.assoc->Send(0, false, Bytes("welcome")));
  ASSERT_TRUE(server_.assoc->Send(0, true, Bytes("\x01\x02")));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return client_.messages.size() == 2; }));
  EXPECT_EQ(client_.messages[0].data, Bytes("welcome"));
  EXPECT_FALSE(client_.messages[0].binary);
  EXPECT_EQ(client_.messages[1].data, Bytes("\x01\x02"));
  EXPECT_TRUE(client_.messages[1].binary);
  for (const auto& m : server_.messages) EXPECT_EQ(m.stream, 0);
  EXPECT_EQ(client_.assoc->stats().messages_sent, 4u);
  EXPECT_EQ(server_.assoc->stats().messages_received, 4u);
}

TEST_F(SctpAssociationTest, ManyMessagesArriveInOrder) {
  ConnectAndOpen();
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(client_.assoc->Send(0, false, Bytes(std::to_string(i))));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return server_.messages.size() == 200; }));
  for (int i = 0; i < 200; ++i) EXPECT_EQ(server_.messages[i].data, Bytes(std::to_string(i)));
}

TEST_F(SctpAssociationTest, MaxSizeMessagesRoundTripBothWays) {
  ConnectAndOpen();
  const auto big = Pattern(SctpAssociation::kDefaultMaxMessageSize, 3);
  ASSERT_TRUE(client_.assoc->Send(0, true, big));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return server_.messages.size() == 1; }));
  EXPECT_EQ(server_.messages[0].data, big);
  EXPECT_GT(server_.assoc->stats().recv_partial_pieces, 0u);  // reassembled from pieces
  ASSERT_TRUE(server_.assoc->Send(0, true, big));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return client_.messages.size() == 1; }));
  EXPECT_EQ(client_.messages[0].data, big);
}

TEST_F(SctpAssociationTest, RefusesAndDropsMessagesOverTheMaxSize) {
  ConnectAndOpen();
  const auto too_big = Pattern(SctpAssociation::kDefaultMaxMessageSize + 1, 5);
  EXPECT_FALSE(client_.assoc->Send(0, true, too_big));
  EXPECT_EQ(client_.assoc->stats().send_too_big, 1u);

  // A peer that ignores our limit: the receiver drops the whole message, counts it, and carries
  // on with the next one.
  client_.assoc->SetRemoteMaxMessageSize(1024 * 1024);
  ASSERT_TRUE(client_.assoc->Send(0, true, Pattern(300000, 9)));
  ASSERT_TRUE(client_.assoc->Send(0, false, Bytes("after")));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return !server_.messages.empty(); }));
  EXPECT_EQ(server_.assoc->stats().recv_too_big, 1u);
  ASSERT_EQ(server_.messages.size(), 1u);
  EXPECT_EQ(server_.messages[0].data, Bytes("after"));
}

TEST_F(SctpAssociationTest, RefusesSendsOnChannelsThatAreNotOpen) {
  EXPECT_FALSE(client_.assoc->Send(0, false, Bytes("early")));  // not even started
  ConnectAndOpen();
  EXPECT_FALSE(client_.assoc->Send(2, false, Bytes("no channel")));
  EXPECT_EQ(client_.assoc->stats().send_not_open, 2u);
}

TEST_F(SctpAssociationTest, UnorderedPartiallyReliableChannel) {
  Connect();
  ASSERT_TRUE(client_.assoc->OpenChannel(
      4, "lossy", "", wire::DcepChannelType::kPartialReliableRexmitUnordered, 0));
  // Sent before the ACK: these go ordered (RFC 8832 §6) and still arrive.
  ASSERT_TRUE(client_.assoc->Send(4, true, Bytes("before-ack")));
  ASSERT_TRUE(
      PumpUntil(ex_, [&] { return !client_.opens.empty() && server_.messages.size() == 1; }));
  ASSERT_TRUE(client_.assoc->Send(4, true, Bytes("after-ack")));
  ASSERT_TRUE(server_.assoc->Send(4, false, Bytes("reply")));
  ASSERT_TRUE(
      PumpUntil(ex_, [&] { return server_.messages.size() == 2 && client_.messages.size() == 1; }));
  EXPECT_EQ(server_.messages[0].data, Bytes("before-ack"));
  EXPECT_EQ(server_.messages[1].data, Bytes("after-ack"));
  EXPECT_EQ(client_.messages[0].data, Bytes("reply"));
}

TEST_F(SctpAssociationTest, ClosingAChannelResetsBothDirections) {
  ConnectAndOpen(6);  // non-zero: catches a byte-order slip in the reset event
  ASSERT_TRUE(client_.assoc->CloseChannel(6));
  EXPECT_FALSE(client_.assoc->Send(6, false, Bytes("closing")));
  ASSERT_TRUE(
      PumpUntil(ex_, [&] { return server_.closed.size() == 1 && client_.closed.size() == 1; }));
  EXPECT_EQ(server_.closed[0], 6);
  EXPECT_EQ(client_.closed[0], 6);
  EXPECT_FALSE(server_.assoc->IsChannelOpen(6));
  EXPECT_FALSE(server_.assoc->Send(6, false, Bytes("gone")));
  // The stream can be used again.
  ASSERT_TRUE(client_.assoc->OpenChannel(6, "second"));
  ASSERT_TRUE(
      PumpUntil(ex_, [&] { return server_.opens.size() == 2 && client_.opens.size() == 2; }));
  ASSERT_TRUE(client_.assoc->Send(6, false, Bytes("again")));
  ASSERT_TRUE(PumpUntil(ex_, [&] { return server_.messages.size() == 1; }));
  EXPECT_EQ(server_.messages[0].data, Bytes("again"));
  EXPECT_EQ(std::get<1>(server_.opens[1]), "second");
}

TEST_F(SctpAssociationTest, CloseEndsCleanlyOnBothSides) {
  ConnectAndOpen();
  client_.assoc->Close();
  EXPECT_EQ(client_.assoc->state(), State::kClosed);
  EXPECT_FALSE(client_.assoc->Send(0, false, Bytes("x")));
  client_.assoc->Close();  // idempotent
  // The ABORT reaches the server.
  ASSERT_TRUE(PumpUntil(ex_, [&] { return server_.last_state() == State::kClosed; }));
  EXPECT_EQ(client_.last_state(), State::kClosed);
  EXPECT_EQ(std::count(client_.states.begin(), client_.states.end(), State::kClosed), 1);
  EXPECT_FALSE(server_.assoc->Send(0, false, Bytes("y")));
  EXPECT_EQ(SctpHub::Instance().open_socket_count(), 0u);
  server_.assoc.reset();
  client_.assoc.reset();
  EXPECT_EQ(SctpHub::Instance().endpoint_count(), 0u);
}

TEST_F(SctpAssociationTest, DestroyingWithCallbacksInFlightIsSafe) {
  server_.assoc->Start();
  client_.assoc->Start();
  // Let packets queue up (and the timer thread retransmit), then destroy mid-handshake.
  std::this_thread::sleep_for(30ms);
  server_.assoc.reset();
  PumpFor(ex_, 100ms);  // tasks of the dead association run as no-ops
  client_.assoc.reset();
  PumpFor(ex_, 50ms);
  EXPECT_EQ(SctpHub::Instance().endpoint_count(), 0u);
}

TEST_F(SctpAssociationTest, ListenerIsNeverCalledFromInsideAPublicMethod) {
  // Start() and Close() report state changes through `post`, not synchronously.
  server_.assoc->Start();
  EXPECT_TRUE(server_.states.empty());
  server_.assoc->Close();
  EXPECT_TRUE(server_.states.empty());
  ex_.RunPending();
  EXPECT_EQ(server_.states, (std::vector<State>{State::kConnecting, State::kClosed}));
}

// Creating and destroying 50 associations leaves nothing behind in usrsctp: usrsctp_finish()
// succeeds, and usrsctp comes back up for the next association.
TEST(SctpHubTest, FiftyAssociationsComeAndGoAndUsrsctpFinishes) {
  Executor ex;
  constexpr int kPairs = 25;
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < 2 * kPairs; ++i) peers.push_back(std::make_unique<Peer>(&ex));
  for (int i = 0; i < kPairs; ++i) {
    peers[2 * i]->WireTo(peers[2 * i + 1].get());
    peers[2 * i + 1]->WireTo(peers[2 * i].get());
  }
  for (auto& p : peers) {
    p->Create();
    p->assoc->Start();
  }
  EXPECT_EQ(SctpHub::Instance().endpoint_count(), static_cast<size_t>(2 * kPairs));
  ASSERT_TRUE(PumpUntil(ex, [&] {
    for (auto& p : peers)
      if (p->last_state() != State::kConnected) return false;
    return true;
  }));
  for (int i = 0; i < kPairs; ++i) {
    ASSERT_TRUE(peers[2 * i + 1]->assoc->OpenChannel(static_cast<uint16_t>(2 * i), "c"));
  }
  ASSERT_TRUE(PumpUntil(ex, [&] {
    for (auto& p : peers)
      if (p->opens.empty()) return false;
    return true;
  }));
  for (int i = 0; i < kPairs; ++i) {
    ASSERT_TRUE(peers[2 * i + 1]->assoc->Send(static_cast<uint16_t>(2 * i), false, Bytes("hi")));
  }
  ASSERT_TRUE(PumpUntil(ex, [&] {
    for (int i = 0; i < kPairs; ++i)
      if (peers[2 * i]->messages.size() != 1) return false;
    return true;
  }));
  // Half are closed first, half destroyed while connected.
  for (int i = 0; i < kPairs; ++i)
    if (i % 2 == 0) peers[2 * i]->assoc->Close();
  for (auto& p : peers) p->assoc.reset();
  ex.RunPending();
  EXPECT_EQ(SctpHub::Instance().endpoint_count(), 0u);
  EXPECT_EQ(SctpHub::Instance().open_socket_count(), 0u);
  EXPECT_TRUE(SctpHub::Instance().Shutdown());
  EXPECT_FALSE(SctpHub::Instance().running());

  // usrsctp initialises again on demand.
  Peer a(&ex), b(&ex);
  a.WireTo(&b);
  b.WireTo(&a);
  a.Create();
  b.Create();
  a.assoc->Start();
  b.assoc->Start();
  EXPECT_TRUE(SctpHub::Instance().running());
  EXPECT_TRUE(PumpUntil(ex, [&] {
    return a.last_state() == State::kConnected && b.last_state() == State::kConnected;
  }));
  a.assoc.reset();
  b.assoc.reset();
  ex.RunPending();
  EXPECT_TRUE(SctpHub::Instance().Shutdown());
}

TEST(SctpHubTest, ShutdownWithALiveAssociationClosesItsSocket) {
  Executor ex;
  Peer a(&ex), b(&ex);
  a.WireTo(&b);
  b.WireTo(&a);
  a.Create();
  b.Create();
  a.assoc->Start();
  b.assoc->Start();
  ASSERT_TRUE(PumpUntil(ex, [&] {
    return a.last_state() == State::kConnected && b.last_state() == State::kConnected;
  }));
  ASSERT_TRUE(b.assoc->OpenChannel(0, "x"));
  EXPECT_TRUE(SctpHub::Instance().Shutdown());
  EXPECT_EQ(SctpHub::Instance().open_socket_count(), 0u);
  ex.RunPending();
  EXPECT_FALSE(b.assoc->Send(0, false, Bytes("late")));  // no socket any more
  a.assoc.reset();
  b.assoc.reset();
  ex.RunPending();
  EXPECT_EQ(SctpHub::Instance().endpoint_count(), 0u);
}

}  // namespace
}  // namespace sfu::transport

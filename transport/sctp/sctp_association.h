#pragma once
// SctpAssociation: one peer's SCTP association over DTLS carrying WebRTC data channels
// (RFC 8831, DCEP RFC 8832), on top of usrsctp through SctpHub.
//
// The DTLS layer drives it without knowing usrsctp: decrypted DTLS application data goes into
// OnIncomingPacket(), and SCTP packets to encrypt and send come out of
// Listener::OnSctpOutgoingPacket(). Like libwebrtc, both sides use port 5000 and both call
// connect() on Start(), so the association comes up whichever side's INIT arrives first (an
// INIT collision is resolved by SCTP itself, RFC 9260 §5.2.1).
//
// Data channels: a peer's DATA_CHANNEL_OPEN is answered with DATA_CHANNEL_ACK on the same stream
// and reported by OnDataChannelOpen; OpenChannel() sends an OPEN and reports OnDataChannelOpen
// when the ACK arrives (messages may be sent before that; they go ordered until the ACK, RFC 8832
// §6). Closing a channel is an outgoing stream reset answered by the peer's (RFC 8831 §6.7).
// Messages larger than max_message_size() (262144, our a=max-message-size) are dropped on
// receipt and refused on send, and counted.
//
// Threads: every public method, the constructor and the destructor run on the owning thread
// (a shard). usrsctp calls back on whichever thread is inside usrsctp (a shard or the hub's timer
// thread); those callbacks only copy the data and hand it to `post`, and the Listener is only
// ever called from the posted tasks, i.e. on the owning thread, and never from inside a public
// method (so a Listener may call Send/Close freely). `post` must queue the task to the owning
// thread and never run it inline. Tasks still queued when the association is destroyed do
// nothing (they hold a weak liveness token). Do not destroy the association from inside a
// Listener call; post the destruction instead.
//
// Ownership: the owner (WebRtcTransport) owns it; the listener is borrowed and must outlive it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "transport/sctp/sctp_hub.h"
#include "transport/wire/dcep.h"

namespace sfu::transport {

class SctpAssociation final : private SctpHub::Endpoint {
 public:
  enum class State { kNew, kConnecting, kConnected, kFailed, kClosed };

  class Listener {  // called on the owning thread only
   public:
    virtual ~Listener() = default;
    // An SCTP packet to DTLS-encrypt and send.
    virtual void OnSctpOutgoingPacket(std::span<const uint8_t> sctp_packet) = 0;
    // A channel is open: the peer's OPEN was acknowledged, or our OpenChannel() was.
    virtual void OnDataChannelOpen(uint16_t stream_id, const std::string& label,
                                   const std::string& protocol) = 0;
    // PPID 51/56 (binary false) or 53/57 (binary true); empty messages (56/57) give empty data.
    virtual void OnDataChannelMessage(uint16_t stream_id, bool binary,
                                      std::span<const uint8_t> data) = 0;
    virtual void OnSctpStateChange(State state) = 0;  // connecting, connected, failed, closed
    // Both directions of the channel's stream were reset (either side closed it).
    virtual void OnDataChannelClosed(uint16_t /*stream_id*/) {}
  };

  using PostFn = std::function<void(std::function<void()>)>;

  // Owned counters, read on the owning thread.
  struct Stats {
    uint64_t messages_sent = 0;
    uint64_t messages_received = 0;
    uint64_t bytes_sent = 0;
    uint64_t bytes_received = 0;
    uint64_t packets_in = 0;
    uint64_t packets_out = 0;
    uint64_t send_too_big = 0;         // refused: larger than the peer's max message size
    uint64_t send_not_open = 0;        // refused: not connected, or no such channel
    uint64_t send_buffer_full = 0;     // refused: usrsctp send buffer full (EWOULDBLOCK)
    uint64_t send_errors = 0;          // refused: other usrsctp error
    uint64_t recv_too_big = 0;         // dropped: larger than max_message_size()
    uint64_t recv_partial_pieces = 0;  // partial deliveries reassembled (pd-api)
    uint64_t recv_unknown_stream = 0;  // dropped: message on a stream with no channel
    uint64_t recv_unknown_ppid = 0;    // dropped: PPID other than 50/51/53/56/57
    uint64_t dcep_errors = 0;          // malformed or unexpected DCEP message
    uint64_t send_failed_events = 0;   // SCTP_SEND_FAILED_EVENT notifications
  };

  static constexpr size_t kDefaultMaxMessageSize = 262144;  // a=max-message-size
  static constexpr uint16_t kDefaultPort = 5000;            // a=sctp-port

  SctpAssociation(Listener* listener, PostFn post, uint16_t local_port = kDefaultPort,
                  uint16_t remote_port = kDefaultPort);
  // Removes us from the hub and closes the socket. Unlike Close(), nothing reaches the peer (the
  // ABORT usrsctp emits is dropped: the Listener may be going away too).
  ~SctpAssociation() override;
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Call once DTLS is connected: creates the socket and connects (sends INIT). A packet arriving
  // before Start() starts the association (DTLS is evidently up).
  void Start();
  // Decrypted DTLS application data (one SCTP packet).
  void OnIncomingPacket(std::span<const uint8_t> data);
  // False if not connected, the channel is not open (or closing), the message is larger than the
  // peer's max message size, or the send buffer is full. Empty messages are sent as PPID 56/57.
  bool Send(uint16_t stream_id, bool binary, std::span<const uint8_t> data);
  // Sends DATA_CHANNEL_OPEN on stream_id (RFC 8832: the DTLS client uses even ids, the server
  // odd ones). False if not connected, the stream is in use, or the send failed.
  bool OpenChannel(uint16_t stream_id, const std::string& label, const std::string& protocol = "",
                   wire::DcepChannelType type = wire::DcepChannelType::kReliable,
                   uint32_t reliability_parameter = 0, uint16_t priority = 0);
  // Resets our outgoing stream; OnDataChannelClosed follows when the peer resets its own.
  bool CloseChannel(uint16_t stream_id);
  // Aborts the association (an ABORT still goes out through OnSctpOutgoingPacket) and reports
  // kClosed. Idempotent.
  void Close();

  // The peer's a=max-message-size (0: no limit given; we then cap at our socket buffer).
  void SetRemoteMaxMessageSize(size_t size);

  State state() const { return state_; }
  size_t max_message_size() const { return kDefaultMaxMessageSize; }
  size_t remote_max_message_size() const { return send_max_message_size_; }
  // Open and acknowledged (OPEN answered or ACK received), and not closing. Send() also works on
  // a channel we opened whose ACK is still on its way.
  bool IsChannelOpen(uint16_t stream_id) const;
  const Stats& stats() const { return stats_; }

 private:
  struct Channel {
    std::string label;
    std::string protocol;
    wire::DcepChannelType type = wire::DcepChannelType::kReliable;
    uint32_t reliability_parameter = 0;
    bool locally_opened = false;  // we sent the OPEN
    bool acked = false;           // ACK received (locally opened) or sent (remotely opened)
    bool closing = false;         // our outgoing stream reset is sent
  };
  // One receive-callback delivery, copied off the usrsctp thread.
  struct Delivery {
    std::vector<uint8_t> data;
    uint16_t stream_id = 0;
    uint32_t ppid = 0;
    bool end_of_record = false;
    bool notification = false;
    bool eof = false;
  };
  enum class SendResult { kOk, kBufferFull, kError };

  // SctpHub::Endpoint: on the usrsctp thread, hub route lock held. Copy and post only.
  void OnSctpHubOutput(std::span<const uint8_t> packet) override;
  void OnSctpHubDelivery(const SctpDelivery& delivery) override;

  // Owning thread, from posted tasks.
  void Post(std::function<void()> task);
  void HandleDelivery(Delivery d);
  void HandleMessage(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> data);
  void HandleDcep(uint16_t stream_id, std::span<const uint8_t> data);
  void HandleNotification(std::span<const uint8_t> data);
  void HandleStreamReset(std::span<const uint8_t> data);
  // Public methods never call the Listener (kPosted); handlers, already in a posted task, report
  // at once (kNow) so the Listener sees events in the order usrsctp produced them.
  enum class Notify { kNow, kPosted };
  void SetState(State state, Notify notify);
  void Terminate(State state, Notify notify);  // closes the socket, forgets channels
  bool ConfigureSocketLocked(const SctpHub::Lock& lock, struct socket* s);
  SendResult SendRaw(uint16_t stream_id, uint32_t ppid, std::span<const uint8_t> payload,
                     const Channel* channel);
  void ResetOutgoingStream(uint16_t stream_id);

  Listener* const listener_;  // borrowed, outlives us
  const PostFn post_;
  const uint16_t local_port_;
  const uint16_t remote_port_;
  // Liveness token for posted tasks; weak_alive_ is read (copied) on usrsctp threads.
  const std::shared_ptr<char> alive_ = std::make_shared<char>(0);
  const std::weak_ptr<char> weak_alive_ = alive_;

  uint64_t id_ = 0;  // SctpHub id (0 until Start)
  State state_ = State::kNew;
  size_t send_max_message_size_ = kDefaultMaxMessageSize;
  std::unordered_map<uint16_t, Channel> channels_;
  // Partial delivery (pd-api): pieces of one message until MSG_EOR. Without I-DATA interleaving
  // only one message is ever partially delivered at a time.
  std::vector<uint8_t> partial_;
  bool partial_dropping_ = false;  // the current message is over the limit; skip to its EOR
  Stats stats_;
};

}  // namespace sfu::transport

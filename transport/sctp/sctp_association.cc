#include "transport/sctp/sctp_association.h"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "base/log.h"

namespace sfu::transport {
namespace {

using wire::DcepChannelType;

// Socket buffers: a max-size message (256 KiB) must fit whole into the send buffer (usrsctp
// refuses a non-blocking send it cannot queue), and the receive window should hold several.
constexpr int kSocketBufferSize = 1024 * 1024;
// Streams each way (libwebrtc's kMaxSctpStreams).
constexpr uint16_t kMaxStreams = 1024;
// SCTP packet size: fits a 1280-byte IPv6 path after IP, UDP and DTLS (AES-GCM) overhead, as
// libwebrtc's kSctpMtu. Path MTU discovery is off: DTLS hides ICMP from us.
constexpr uint32_t kSctpMtu = 1191;
// Messages this long or longer are handed over in pieces (pd-api) and reassembled here, so an
// oversized message is dropped piece by piece instead of being buffered whole inside usrsctp.
constexpr uint32_t kPartialDeliveryPoint = 64 * 1024;

constexpr uint16_t kEvents[] = {SCTP_ASSOC_CHANGE, SCTP_SEND_FAILED_EVENT, SCTP_STREAM_RESET_EVENT,
                                SCTP_STREAM_CHANGE_EVENT};

sockaddr_conn ConnSockaddr(uint64_t id, uint16_t port) {
  sockaddr_conn a;
  std::memset(&a, 0, sizeof(a));
  a.sconn_family = AF_CONN;
  a.sconn_port = htons(port);
  a.sconn_addr = SctpHub::ConnAddress(id);
  return a;
}

}  // namespace

SctpAssociation::SctpAssociation(Listener* listener, PostFn post, uint16_t local_port,
                                 uint16_t remote_port)
    : listener_(listener),
      post_(std::move(post)),
      local_port_(local_port),
      remote_port_(remote_port) {}

SctpAssociation::~SctpAssociation() {
  if (id_ == 0) return;
  auto& hub = SctpHub::Instance();
  auto lock = hub.Acquire();
  // Removes the route first, so no callback reaches us once this returns; tasks already posted
  // see alive_ expire with us.
  hub.Remove(lock, id_);
}

void SctpAssociation::Post(std::function<void()> task) {
  post_([weak = weak_alive_, task = std::move(task)] {
    if (!weak.expired()) task();
  });
}

// --- usrsctp side (any thread, hub route lock held) -------------------------------------------

void SctpAssociation::OnSctpHubOutput(std::span<const uint8_t> packet) {
  post_([weak = weak_alive_, this, p = std::vector<uint8_t>(packet.begin(), packet.end())] {
    if (weak.expired()) return;
    ++stats_.packets_out;
    listener_->OnSctpOutgoingPacket(p);
  });
}

void SctpAssociation::OnSctpHubDelivery(const SctpDelivery& delivery) {
  Delivery d;
  d.data.assign(delivery.data.begin(), delivery.data.end());
  d.stream_id = delivery.stream_id;
  d.ppid = delivery.ppid;
  d.end_of_record = delivery.end_of_record;
  d.notification = delivery.notification;
  d.eof = delivery.eof;
  post_([weak = weak_alive_, this, d = std::move(d)]() mutable {
    if (!weak.expired()) HandleDelivery(std::move(d));
  });
}

// --- Public API (owning thread) -----------------------------------------------------------------

void SctpAssociation::Start() {
  if (state_ != State::kNew) return;
  auto& hub = SctpHub::Instance();
  bool ok = false;
  {
    auto lock = hub.Acquire();
    id_ = hub.Add(lock, this);
    struct socket* s = id_ != 0 ? hub.Socket(lock, id_) : nullptr;
    ok = s != nullptr && ConfigureSocketLocked(lock, s);
    if (!ok && id_ != 0) hub.CloseSocket(lock, id_);
  }
  if (!ok) SFU_LOG(kWarn, "sctp association start failed").Kv("id", id_);
  SetState(ok ? State::kConnecting : State::kFailed, Notify::kPosted);
}

bool SctpAssociation::ConfigureSocketLocked(const SctpHub::Lock& /*lock*/, struct socket* s) {
  auto set = [s](int level, int name, const void* value, socklen_t size, const char* what) {
    if (usrsctp_setsockopt(s, level, name, value, size) == 0) return true;
    SFU_LOG(kWarn, "usrsctp_setsockopt failed").Kv("option", what).Kv("errno", errno);
    return false;
  };
  const int buffer = kSocketBufferSize;
  const int on = 1;
  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_ALL_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  sctp_initmsg init{};
  init.sinit_num_ostreams = kMaxStreams;
  init.sinit_max_instreams = kMaxStreams;
  bool ok = set(SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer), "SO_SNDBUF") &&
            set(SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer), "SO_RCVBUF") &&
            set(IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &reset, sizeof(reset), "STREAM_RESET") &&
            set(IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on), "SCTP_NODELAY") &&
            set(IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init), "SCTP_INITMSG") &&
            set(IPPROTO_SCTP, SCTP_PARTIAL_DELIVERY_POINT, &kPartialDeliveryPoint,
                sizeof(kPartialDeliveryPoint), "PARTIAL_DELIVERY_POINT");
  for (uint16_t type : kEvents) {
    sctp_event event{};
    event.se_assoc_id = SCTP_ALL_ASSOC;
    event.se_on = 1;
    event.se_type = type;
    ok = ok && set(IPPROTO_SCTP, SCTP_EVENT, &event, sizeof(event), "SCTP_EVENT");
  }
  if (!ok) return false;

  sockaddr_conn local = ConnSockaddr(id_, local_port_);
  if (usrsctp_bind(s, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) {
    SFU_LOG(kWarn, "usrsctp_bind failed").Kv("errno", errno);
    return false;
  }
  // Connect even as the DTLS server (as libwebrtc does): a simultaneous INIT is fine.
  sockaddr_conn remote = ConnSockaddr(id_, remote_port_);
  if (usrsctp_connect(s, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) < 0 &&
      errno != EINPROGRESS) {
    SFU_LOG(kWarn, "usrsctp_connect failed").Kv("errno", errno);
    return false;
  }
  sctp_paddrparams params{};
  std::memcpy(&params.spp_address, &remote, sizeof(remote));
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = kSctpMtu;
  // Not fatal: usrsctp then starts from its default MTU.
  set(IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &params, sizeof(params), "PEER_ADDR_PARAMS");
  return true;
}

void SctpAssociation::OnIncomingPacket(std::span<const uint8_t> data) {
  if (state_ == State::kNew) Start();
  if (state_ != State::kConnecting && state_ != State::kConnected) return;
  if (data.empty()) return;
  ++stats_.packets_in;
  auto& hub = SctpHub::Instance();
  auto lock = hub.Acquire();
  // Whatever this provokes (SACKs, deliveries) is posted by the callbacks, never re-entered.
  hub.ConnInput(lock, id_, data);
}

bool SctpAssociation::Send(uint16_t stream_id, bool binary, std::span<const uint8_t> data) {
  auto it = channels_.find(stream_id);
  if (state_ != State::kConnected || it == channels_.end() || it->second.closing) {
    ++stats_.send_not_open;
    return false;
  }
  if (data.size() > send_max_message_size_) {
    ++stats_.send_too_big;
    return false;
  }
  // RFC 8831 §6.6: an empty message is one (ignored) zero byte with PPID 56/57.
  static constexpr uint8_t kEmpty[1] = {0};
  const bool empty = data.empty();
  const uint32_t ppid = binary ? (empty ? wire::kPpidBinaryEmpty : wire::kPpidBinary)
                               : (empty ? wire::kPpidStringEmpty : wire::kPpidString);
  switch (SendRaw(stream_id, ppid, empty ? std::span<const uint8_t>(kEmpty) : data, &it->second)) {
    case SendResult::kOk:
      ++stats_.messages_sent;
      stats_.bytes_sent += data.size();
      return true;
    case SendResult::kBufferFull:
      ++stats_.send_buffer_full;
      return false;
    case SendResult::kError:
      ++stats_.send_errors;
      return false;
  }
  return false;
}

SctpAssociation::SendResult SctpAssociation::SendRaw(uint16_t stream_id, uint32_t ppid,
                                                     std::span<const uint8_t> payload,
                                                     const Channel* channel) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = stream_id;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  spa.sendv_sndinfo.snd_flags = SCTP_EOR;
  // DCEP messages (channel == nullptr) go reliable and ordered. User messages follow the
  // channel type, but stay ordered until our OPEN is acknowledged (RFC 8832 §6).
  if (channel != nullptr) {
    if (!wire::DcepChannelOrdered(channel->type) && channel->acked) {
      spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
    }
    const uint8_t reliability = static_cast<uint8_t>(channel->type) & 0x7F;
    if (reliability == 0x01 || reliability == 0x02) {
      spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
      spa.sendv_prinfo.pr_policy = reliability == 0x01 ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
      spa.sendv_prinfo.pr_value = channel->reliability_parameter;
    }
  }
  auto& hub = SctpHub::Instance();
  auto lock = hub.Acquire();
  struct socket* s = hub.Socket(lock, id_);
  if (s == nullptr) return SendResult::kError;
  const ssize_t n = usrsctp_sendv(s, payload.data(), payload.size(), nullptr, 0, &spa, sizeof(spa),
                                  SCTP_SENDV_SPA, 0);
  if (n >= 0) return SendResult::kOk;
  if (errno == EWOULDBLOCK || errno == EAGAIN) return SendResult::kBufferFull;
  SFU_LOG(kDebug, "usrsctp_sendv failed").Kv("errno", errno).Kv("stream", stream_id);
  return SendResult::kError;
}

bool SctpAssociation::OpenChannel(uint16_t stream_id, const std::string& label,
                                  const std::string& protocol, DcepChannelType type,
                                  uint32_t reliability_parameter, uint16_t priority) {
  if (state_ != State::kConnected || stream_id >= kMaxStreams || channels_.contains(stream_id)) {
    return false;
  }
  wire::DcepOpen open;
  open.channel_type = type;
  open.priority = priority;
  open.reliability_parameter = reliability_parameter;
  open.label = label;
  open.protocol = protocol;
  const std::vector<uint8_t> msg = wire::BuildDcepOpen(open);
  if (msg.empty()) return false;
  if (SendRaw(stream_id, wire::kPpidDcep, msg, nullptr) != SendResult::kOk) return false;
  Channel& c = channels_[stream_id];
  c.label = label;
  c.protocol = protocol;
  c.type = type;
  c.reliability_parameter = reliability_parameter;
  c.locally_opened = true;
  return true;
}

bool SctpAssociation::CloseChannel(uint16_t stream_id) {
  auto it = channels_.find(stream_id);
  if (state_ != State::kConnected || it == channels_.end() || it->second.closing) return false;
  it->second.closing = true;
  ResetOutgoingStream(stream_id);
  return true;
}

void SctpAssociation::ResetOutgoingStream(uint16_t stream_id) {
  // usrsctp queues outgoing resets itself while one is outstanding (no EALREADY for these).
  alignas(sctp_reset_streams) uint8_t buf[sizeof(sctp_reset_streams) + sizeof(uint16_t)] = {};
  auto* rs = reinterpret_cast<sctp_reset_streams*>(buf);
  rs->srs_assoc_id = SCTP_ALL_ASSOC;
  rs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  rs->srs_number_streams = 1;
  rs->srs_stream_list[0] = stream_id;
  auto& hub = SctpHub::Instance();
  auto lock = hub.Acquire();
  struct socket* s = hub.Socket(lock, id_);
  if (s == nullptr ||
      usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_RESET_STREAMS, buf, sizeof(buf)) < 0) {
    SFU_LOG(kDebug, "sctp stream reset failed").Kv("stream", stream_id).Kv("errno", errno);
  }
}

void SctpAssociation::Close() {
  if (state_ == State::kClosed) return;
  Terminate(State::kClosed, Notify::kPosted);
}

void SctpAssociation::SetRemoteMaxMessageSize(size_t size) {
  const size_t cap = static_cast<size_t>(kSocketBufferSize);
  send_max_message_size_ = size == 0 ? cap : std::min(size, cap);
}

bool SctpAssociation::IsChannelOpen(uint16_t stream_id) const {
  auto it = channels_.find(stream_id);
  return it != channels_.end() && it->second.acked && !it->second.closing;
}

// --- Owning thread: posted work ----------------------------------------------------------------

void SctpAssociation::SetState(State state, Notify notify) {
  state_ = state;
  if (notify == Notify::kNow) {
    listener_->OnSctpStateChange(state);
  } else {
    Post([this, state] { listener_->OnSctpStateChange(state); });
  }
}

void SctpAssociation::Terminate(State state, Notify notify) {
  if (id_ != 0) {
    auto& hub = SctpHub::Instance();
    auto lock = hub.Acquire();
    hub.CloseSocket(lock, id_);
  }
  channels_.clear();
  partial_.clear();
  partial_dropping_ = false;
  SetState(state, notify);
}

void SctpAssociation::HandleDelivery(Delivery d) {
  if (state_ == State::kClosed || state_ == State::kFailed) return;
  if (d.eof) {
    Terminate(State::kClosed, Notify::kNow);
    return;
  }
  if (d.notification) {
    HandleNotification(d.data);
    return;
  }
  // Reassemble partial deliveries, enforcing the size limit on the whole message.
  if (partial_dropping_) {
    if (d.end_of_record) partial_dropping_ = false;
    return;
  }
  if (partial_.size() + d.data.size() > max_message_size()) {
    ++stats_.recv_too_big;
    partial_.clear();
    partial_dropping_ = !d.end_of_record;
    return;
  }
  if (!d.end_of_record) {
    ++stats_.recv_partial_pieces;
    partial_.insert(partial_.end(), d.data.begin(), d.data.end());
    return;
  }
  if (!partial_.empty()) {
    partial_.insert(partial_.end(), d.data.begin(), d.data.end());
    d.data.swap(partial_);
    partial_.clear();
  }
  HandleMessage(d.stream_id, d.ppid, d.data);
}

void SctpAssociation::HandleMessage(uint16_t stream_id, uint32_t ppid,
                                    std::span<const uint8_t> data) {
  bool binary = false;
  switch (ppid) {
    case wire::kPpidDcep:
      HandleDcep(stream_id, data);
      return;
    case wire::kPpidString:
      break;
    case wire::kPpidBinary:
      binary = true;
      break;
    case wire::kPpidStringEmpty:
      data = {};
      break;
    case wire::kPpidBinaryEmpty:
      binary = true;
      data = {};
      break;
    default:
      ++stats_.recv_unknown_ppid;
      return;
  }
  if (!channels_.contains(stream_id)) {
    ++stats_.recv_unknown_stream;
    return;
  }
  ++stats_.messages_received;
  stats_.bytes_received += data.size();
  listener_->OnDataChannelMessage(stream_id, binary, data);
}

void SctpAssociation::HandleDcep(uint16_t stream_id, std::span<const uint8_t> data) {
  const auto type = wire::PeekDcepType(data);
  if (type == wire::DcepMessageType::kOpen) {
    auto open = wire::ParseDcepOpen(data);
    if (!open || channels_.contains(stream_id)) {
      ++stats_.dcep_errors;
      return;
    }
    Channel& c = channels_[stream_id];
    c.label = open->label;
    c.protocol = open->protocol;
    c.type = open->channel_type;
    c.reliability_parameter = open->reliability_parameter;
    c.acked = true;
    const std::vector<uint8_t> ack = wire::BuildDcepAck();
    if (SendRaw(stream_id, wire::kPpidDcep, ack, nullptr) != SendResult::kOk) {
      SFU_LOG(kWarn, "DATA_CHANNEL_ACK send failed").Kv("stream", stream_id);
    }
    listener_->OnDataChannelOpen(stream_id, open->label, open->protocol);
    return;
  }
  if (type == wire::DcepMessageType::kAck) {
    auto it = channels_.find(stream_id);
    if (it == channels_.end() || !it->second.locally_opened || it->second.acked) {
      ++stats_.dcep_errors;
      return;
    }
    it->second.acked = true;
    listener_->OnDataChannelOpen(stream_id, it->second.label, it->second.protocol);
    return;
  }
  ++stats_.dcep_errors;
}

void SctpAssociation::HandleNotification(std::span<const uint8_t> data) {
  // Copy into an aligned buffer: the notification structs have 32-bit fields.
  sctp_notification n;
  if (data.size() < sizeof(n.sn_header)) return;
  std::memset(&n, 0, sizeof(n));
  std::memcpy(&n, data.data(), std::min(data.size(), sizeof(n)));
  switch (n.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE:
      switch (n.sn_assoc_change.sac_state) {
        case SCTP_COMM_UP:
          if (state_ != State::kConnected) SetState(State::kConnected, Notify::kNow);
          break;
        case SCTP_COMM_LOST:
        case SCTP_SHUTDOWN_COMP:
          Terminate(State::kClosed, Notify::kNow);
          break;
        case SCTP_CANT_STR_ASSOC:
          Terminate(State::kFailed, Notify::kNow);
          break;
        default:  // SCTP_RESTART: the association carries on
          break;
      }
      break;
    case SCTP_STREAM_RESET_EVENT:
      HandleStreamReset(data);
      break;
    case SCTP_SEND_FAILED_EVENT:
      ++stats_.send_failed_events;
      break;
    default:
      break;
  }
}

void SctpAssociation::HandleStreamReset(std::span<const uint8_t> data) {
  constexpr size_t kHeader = sizeof(sctp_stream_reset_event);
  sctp_stream_reset_event ev;
  if (data.size() < kHeader) return;
  std::memcpy(&ev, data.data(), kHeader);
  if ((ev.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) == 0 ||
      (ev.strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) != 0) {
    return;  // our own outgoing reset completing, or a refused one
  }
  // The peer reset its outgoing side of these streams: close our side too (RFC 8831 §6.7).
  std::vector<uint16_t> streams;
  const size_t length = std::min<size_t>(data.size(), ev.strreset_length);
  const size_t count = length > kHeader ? (length - kHeader) / sizeof(uint16_t) : 0;
  for (size_t i = 0; i < count; ++i) {
    uint16_t sid;
    std::memcpy(&sid, data.data() + kHeader + 2 * i, sizeof(sid));
    streams.push_back(sid);
  }
  if (count == 0) {  // an empty list means every stream
    for (const auto& [sid, c] : channels_) streams.push_back(sid);
  }
  for (uint16_t sid : streams) {
    auto it = channels_.find(sid);
    if (it == channels_.end()) continue;
    if (!it->second.closing) ResetOutgoingStream(sid);
    channels_.erase(it);
    listener_->OnDataChannelClosed(sid);
  }
}

}  // namespace sfu::transport

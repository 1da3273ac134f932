#pragma once
// The node-to-node cascade's wire rules (docs/DESIGN.md, "Replica meetings"; docs/PROTOCOL.md
// §12), pure: no I/O, no clock.
//
// A replica meeting placed on another node than its primary gets the primary's media over one
// link per (primary meeting, replica node): SRTP (AEAD_AES_128_GCM) over the two shards' UDP
// sockets, keys chosen by the replica's node and handed over in the primary node's Redis inbox
// (the same trust as placement). On the link:
//   - audio: the primary's shared mix (what a non-talker hears), SSRC kAudioSsrc, Opus PT 111;
//   - video: every packet of every published layer, SSRC = the layer's stream id (meeting-unique),
//     VP8 PT 96, the publisher's sequence numbers and timestamps, no header extensions;
//   - back toward the primary's node: SRTCP PLI/FIR and NACK for those SSRCs (the replica node's
//     relay publisher asks as it would ask a client), answered with a key-frame request to the
//     publisher and a resend from its history.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/wire/rtp_packet.h"
#include "transport/wire/stun_message.h"

namespace sfu::cascade {

inline constexpr uint32_t kAudioSsrc = 0xCA5C0001;
inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kVp8PayloadType = 96;
// AEAD_AES_128_GCM: 16-byte master key + 12-byte salt per direction.
inline constexpr size_t kKeySaltLength = 28;

// One side's half of a link, as sent through the other node's inbox:
//   link-open  <primary> <node> <ip> <port> <send key hex> <receive key hex>   (replica node)
//   link-ready <primary> <node> <ip> <port> <send key hex> <receive key hex>   (primary node)
// `node` and the address are the sender's; the keys are the sender's view (what it protects
// with, what it unprotects with).
struct LinkOffer {
  std::string primary_meeting_id;
  std::string node_id;
  wire::StunAddress address;
  std::string send_key;     // kKeySaltLength bytes
  std::string receive_key;  // kKeySaltLength bytes
};

// The words after the verb; "" if a field cannot be written (an id with white space, a key of
// the wrong length).
std::string FormatLinkOffer(const LinkOffer& offer);
// Parses the words after the verb; nullopt unless all six are there and valid (ids of 1..128
// printable characters, an IPv4 or IPv6 literal, port 1..65535, two 56-digit hex keys).
std::optional<LinkOffer> ParseLinkOffer(std::string_view text);

// "ip:port" (IPv6 in brackets) for logs.
std::string AddressText(const wire::StunAddress& a);
std::optional<wire::StunAddress> ParseAddress(std::string_view ip, uint16_t port);

// The relayed form of a publisher's video packet: a 12-byte header (SSRC = stream_id, PT 96, the
// packet's marker, sequence number and timestamp) and its payload, written to out. Returns the
// size, 0 if out is too small.
size_t WriteRelayedVideo(const wire::RtpPacketView& pkt, uint32_t stream_id,
                         std::span<uint8_t> out);
// The same under another sequence number (the link's, sfu/cascade_sender.h).
size_t WriteRelayedVideo(const wire::RtpPacketView& pkt, uint32_t stream_id, uint16_t seq,
                         std::span<uint8_t> out);

// A layer's sequence numbers on the link: the publisher's, shifted so that they go on from the
// last one sent when the publisher's SSRC for that stream id changes (a new encoder or
// transport under the same stream id starts its own numbering). So the link's (SSRC, index)
// pairs never repeat under one key (AES-GCM nonces) and the receiver's replay window and NACKs
// see one continuous stream. Pure.
class LinkSequence {
 public:
  // The link's sequence number for a first transmission.
  uint16_t Next(uint32_t source_ssrc, uint16_t source_seq) {
    if (!started_ || source_ssrc != source_ssrc_) {
      offset_ = started_ ? static_cast<uint16_t>(last_ + 1 - source_seq) : 0;
      source_ssrc_ = source_ssrc;
      started_ = true;
      last_ = static_cast<uint16_t>(source_seq + offset_);
      return last_;
    }
    const uint16_t seq = static_cast<uint16_t>(source_seq + offset_);
    if (static_cast<int16_t>(seq - last_) > 0) last_ = seq;
    return seq;
  }
  // The publisher's sequence number a NACK of link_seq asks for (the current SSRC's).
  uint16_t Source(uint16_t link_seq) const { return static_cast<uint16_t>(link_seq - offset_); }
  uint32_t source_ssrc() const { return source_ssrc_; }

 private:
  bool started_ = false;
  uint32_t source_ssrc_ = 0;
  uint16_t offset_ = 0;
  uint16_t last_ = 0;
};
// The relayed form of one tick of the shared mix.
size_t WriteRelayedAudio(uint16_t seq, uint32_t timestamp, std::span<const uint8_t> opus,
                         std::span<uint8_t> out);

}  // namespace sfu::cascade

namespace sfu {

// What one publishing attendee of the primary sends, as relayed: its layers' stream ids,
// lowest first (the ones it turned off included).
struct RelayedPublication {
  std::string attendee_id;
  std::vector<uint32_t> stream_ids;
};

}  // namespace sfu

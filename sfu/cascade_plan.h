#pragma once
// One end of a node-to-node cascade link, as the control thread describes it to a shard
// (docs/DESIGN.md, "Replica meetings"; the wire rules are in sfu/cascade_link.h). Plain values,
// copied across threads.
#include <memory>
#include <span>
#include <string>

#include "mixer/room_mixer.h"
#include "transport/srtp/srtp_session.h"
#include "transport/wire/stun_message.h"

namespace sfu {

struct CascadeLinkPlan {
  std::string meeting_id;  // the primary meeting: its media meeting on both nodes
  std::string node_id;     // the node at the other end
  wire::StunAddress peer;  // the other end's shard UDP address (port 0: not known yet)
  std::string send_key;    // key||salt we protect with (cascade::kKeySaltLength bytes)
  std::string receive_key;
  mixer::RoomMixerConfig mixer;  // used when this end creates the meeting's mixer

  // The link's SRTP session for one direction (AEAD_AES_128_GCM); null for a key of the wrong
  // length.
  std::unique_ptr<transport::SrtpSession> Session(transport::SrtpSession::Direction d) const {
    const std::string& k =
        d == transport::SrtpSession::Direction::kOutbound ? send_key : receive_key;
    return transport::SrtpSession::Create(
        transport::SrtpProfile::kAeadAes128Gcm,
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(k.data()), k.size()), d);
  }
};

}  // namespace sfu

#pragma once
// A primary meeting's live state mirrored to a node hosting one of its replicas (docs/DESIGN.md,
// "Replica meetings"; the message is signaling/proto/cascade_mirror.proto): the primary's node
// takes a snapshot of its MeetingState, the replica's node applies it to the state its replica
// attendees share (the primary's id is their media meeting there too) and tells them what
// changed, as the primary's own sessions would have been told: AUDIO_STREAM_ID_INFO deltas for
// who came, left or (un)muted, the INDEX when the video sources changed; levels reach them
// through SignalingHub::PublishAudioMetadata.
// Thread: control thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/cascade_mirror_codec.h"
#include "signaling/meeting_state.h"

namespace sfu::signaling {

class SignalingHub;

// Pure: the snapshot (levels reported within the last 500 ms).
proto::CascadeMirror MirrorOf(const MeetingState& state, uint32_t joined, int64_t now_ms);

// Applies the snapshot to the hub's state of media_meeting_id and tells its sessions. True if
// the video sources changed (the relay publishers must follow).
bool ApplyMirror(SignalingHub& hub, const std::string& media_meeting_id,
                 const proto::CascadeMirror& m, int64_t now_ms);

// Delivers data messages relayed from the primary's node to the sessions sharing
// media_meeting_id here (each valid one, with its sender; kept ones kept for late joiners, as on
// the primary's node). Returns how many were delivered.
int DeliverRelayedData(SignalingHub& hub, const std::string& media_meeting_id,
                       const proto::SdkDataMessageFrame& m, int64_t now_ms);

}  // namespace sfu::signaling

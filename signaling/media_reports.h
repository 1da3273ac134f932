#pragma once
// Where a participant's reports go: the callbacks of a ParticipantMediaPlan that its media calls
// on the shard (data-channel frames and open, the bitrates of arriving video, audio levels), each
// posted to the control thread and handed there to the signaling session with the plan's media
// id (BITRATES, DATA_MESSAGE frames) or to the meeting's state (levels).
// Thread: control thread (the callbacks it makes run on the shard and only post).

#include <functional>

#include "base/clock.h"
#include "sfu/participant_media.h"

namespace sfu::signaling {

class SignalingHub;

// Fills plan's on_data_frame/on_data_channel_open (when plan.data_channel), report_bitrates and
// report_level for the plan's id, meeting and attendee. hub and clock must outlive the shard's
// tasks (they are the server's).
void RouteMediaReports(ParticipantMediaPlan& plan,
                       const std::function<void(std::function<void()>)>& post_to_control,
                       SignalingHub& hub, const base::Clock& clock);

}  // namespace sfu::signaling

#include "signaling/media_reports.h"

#include <utility>
#include <vector>

#include "signaling/signaling_hub.h"
#include "signaling/signaling_session.h"

namespace sfu::signaling {
using proto::SdkSignalFrame;

void RouteMediaReports(ParticipantMediaPlan& plan,
                       const std::function<void(std::function<void()>)>& post_to_control,
                       SignalingHub& hub_ref, const base::Clock& clock_ref) {
  const auto post = post_to_control;
  SignalingHub* hub = &hub_ref;
  const base::Clock* clock = &clock_ref;
  const uint64_t id = plan.id;
  const std::string& meeting = plan.meeting_id;
  if (plan.data_channel) {
    plan.on_data_frame = [post, hub, meeting, id](std::vector<uint8_t> bytes) {
      post([hub, meeting, id, bytes = std::move(bytes)] {
        for (SignalingSession* s : hub->MediaSessionsOf(meeting)) {
          if (s->media_id() == id) s->OnDataChannelFrame(bytes);
        }
      });
    };
    plan.on_data_channel_open = [post, hub, meeting, id] {
      post([hub, meeting, id] {
        for (SignalingSession* s : hub->MediaSessionsOf(meeting)) s->OnDataChannelOpen(id);
      });
    };
  }
  plan.on_connected = [post, hub, meeting, id] {
    post([hub, meeting, id] {
      for (SignalingSession* s : hub->MediaSessionsOf(meeting)) s->OnMediaConnected(id);
    });
  };
  plan.report_bitrates = [post, hub, meeting, id](std::vector<StreamBitrate> rates) {
    post([hub, meeting, id, rates = std::move(rates)] {
      for (SignalingSession* s : hub->MediaSessionsOf(meeting)) {
        if (s->media_id() != id) continue;
        SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::BITRATES);
        for (const auto& r : rates) {
          auto* b = f.mutable_bitrates()->add_bitrates();
          b->set_source_stream_id(r.stream_id);
          b->set_avg_bitrate_bps(r.avg_bitrate_bps);
        }
        s->Send(f);
      }
    });
  };
  plan.report_level = [post, hub, clock, meeting, attendee = plan.attendee_id](uint8_t level,
                                                                               uint8_t strength) {
    post([hub, clock, meeting, attendee, level, strength] {
      hub->State(meeting).ReportLevel(attendee, level, strength, clock->NowSteadyMs());
    });
  };
}

}  // namespace sfu::signaling

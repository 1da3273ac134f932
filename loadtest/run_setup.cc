#include "loadtest/run_setup.h"

#include <algorithm>
#include <chrono>

#include "loadtest/janus_rooms.h"
#include "loadtest/run_analysis.h"

namespace sfu::loadtest {
namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ServerSample Scrape(ControlClient* api, int pid) {
  ServerSample s;
  if (api) {
    std::string err;
    if (auto text = api->Metrics(&err)) {
      s.ok = s.metrics = true;
      s.cpu = SumMetric(*text, "process_cpu_seconds_total");
      // UDP datagrams, and those on stream connections (ICE-TCP, TURN; --media-path tcp, turn-*).
      s.in = SumMetric(*text, "sfu_shard_packets_total", "direction=\"in\"") +
             SumMetric(*text, "sfu_shard_stream_datagrams_total", "direction=\"in\"");
      s.out = SumMetric(*text, "sfu_shard_packets_total", "direction=\"out\"") +
              SumMetric(*text, "sfu_shard_stream_datagrams_total", "direction=\"out\"");
      s.mixing = SumMetric(*text, "sfu_mixer_participants");
    }
  }
  if (pid > 0) {
    double cpu = 0;
    if (ReadProcessUsage(pid, &cpu, &s.rss_mib, &s.rss_peak_mib)) {
      s.ok = true;
      s.cpu = cpu;
    } else {
      s.ok = false;  // the process is gone: no cost figures at all rather than wrong ones
    }
  }
  return s;
}

ServerSample Scrape(const std::vector<ControlClient*>& apis, int pid) {
  if (apis.size() <= 1) return Scrape(apis.empty() ? nullptr : apis[0], pid);
  ServerSample sum;
  sum.ok = sum.metrics = true;
  for (ControlClient* api : apis) {
    const ServerSample s = Scrape(api, 0);
    if (!s.metrics)
      return ServerSample{};  // one node unreadable: no figures rather than wrong ones
    sum.cpu += s.cpu;
    sum.in += s.in;
    sum.out += s.out;
    sum.mixing += s.mixing;
  }
  if (pid > 0) {
    // A pid names one process: with several nodes its figures would be one node's, so only its
    // memory is kept.
    ServerSample p = Scrape(nullptr, pid);
    sum.rss_mib = p.rss_mib;
    sum.rss_peak_mib = p.rss_peak_mib;
  }
  return sum;
}

bool CreateChimeMeetings(const LoadOptions& o, const std::vector<ControlClient*>& apis,
                         std::vector<std::shared_ptr<MeetingShared>>* meetings,
                         std::vector<std::vector<std::string>>* tokens, std::string* error) {
  const int meeting_count = o.meeting_id.empty() ? o.meetings : 1;
  const size_t n = apis.size();
  for (int m = 0; m < meeting_count; ++m) {
    ControlClient& api = *apis[static_cast<size_t>(m) % n];
    ControlClient& attendee_api = *apis[static_cast<size_t>(m + 1) % n];
    std::optional<MeetingInfo> info =
        o.meeting_id.empty()
            ? api.CreateMeeting("sfu-loadtest-" + std::to_string(m) + "-" + std::to_string(NowUs()),
                                error)
            : api.GetMeeting(o.meeting_id, error);
    if (!info) return false;
    auto sig = ParseUrl(info->signaling_url, error);
    if (!sig) {
      *error = "meeting " + info->meeting_id + ": SignalingUrl: " + *error;
      return false;
    }
    auto shared = std::make_shared<MeetingShared>();
    shared->meeting_id = info->meeting_id;
    shared->host = sig->host;
    shared->port = sig->port;
    shared->talkers = std::min(o.talkers, 10);
    std::vector<std::string> users;
    for (int a = 0; a < o.attendees; ++a)
      users.push_back("load-" + std::to_string(m) + "-" + std::to_string(a));
    auto t = attendee_api.CreateAttendees(info->meeting_id, users, error);
    if (!t) return false;
    meetings->push_back(shared);
    tokens->push_back(*t);
  }
  return true;
}

bool CreateJanusMeetings(const LoadOptions& o, const HttpUrl& url,
                         std::vector<std::shared_ptr<MeetingShared>>* meetings,
                         std::vector<std::vector<std::string>>* tokens,
                         std::vector<uint64_t>* rooms, std::string* error) {
  // Room numbers of this run: unlikely to collide with another run's on the same Janus.
  const uint64_t base = 1'000'000 + static_cast<uint64_t>(NowUs() % 1'000'000) * 1000;
  for (int m = 0; m < o.meetings; ++m) rooms->push_back(base + static_cast<uint64_t>(m));
  if (!CreateJanusRooms(url.host, url.port, o.target, *rooms, o.attendees, error)) return false;
  for (int m = 0; m < o.meetings; ++m) {
    auto shared = std::make_shared<MeetingShared>();
    shared->room = (*rooms)[static_cast<size_t>(m)];
    shared->meeting_id = std::to_string(shared->room);
    shared->host = url.host;
    shared->port = url.port;
    shared->talkers = std::min(o.talkers, 10);
    meetings->push_back(shared);
    tokens->push_back(std::vector<std::string>(static_cast<size_t>(o.attendees)));
  }
  return true;
}

std::string TargetRefusal(const LoadOptions& o) {
  if (!IsJanus(o.target)) {
    if (!o.more_endpoints.empty() && !o.meeting_id.empty())
      return "--cluster-endpoint spreads the meetings it creates: not with --meeting-id";
    return "";
  }
  if (!o.more_endpoints.empty())
    return std::string("--cluster-endpoint is for a cluster of sfu-server nodes, not --target ") +
           TargetName(o.target);
  const std::string t = TargetName(o.target);
  if (o.media_path != MediaPath::kUdp) return "--target " + t + " takes --media-path udp only";
  if (!o.meeting_id.empty() || !o.api_key.empty())
    return "--meeting-id and --api-key are for the Chime control API, not --target " + t;
  if (o.data_rate > 0) return "--target " + t + " has no data messages (--data-rate)";
  if (o.target == Target::kJanusAudioBridge && o.video_senders > 0)
    return "--target janus-audiobridge is audio only (--video-senders 0)";
  return "";
}

}  // namespace sfu::loadtest

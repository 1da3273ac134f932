#include "loadtest/load_report.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace sfu::loadtest {
namespace json = boost::json;

Distribution Distribution::Of(std::vector<double> v) {
  Distribution d;
  d.n = v.size();
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  auto at = [&](double p) {
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
  };
  d.p50 = at(0.5);
  d.p95 = at(0.95);
  d.p99 = at(0.99);
  d.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  d.mean = sum / static_cast<double>(v.size());
  return d;
}

bool LoadReport::Passed() const {
  if (joins_attempted == 0 || meeting_ended) return false;
  for (const SloResult& o : slo)
    if (o.outcome == SloResult::Outcome::kFail) return false;
  return true;
}

namespace {

std::string Fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), f, v);
  return buf;
}

std::string Dist(const Distribution& d, const char* unit) {
  if (d.n == 0) return "-";
  return Fmt("p50 %.1f", d.p50) + " / p95 " + Fmt("%.1f", d.p95) + " / p99 " + Fmt("%.1f", d.p99) +
         " / max " + Fmt("%.1f", d.max) + " " + unit + " (n=" + std::to_string(d.n) + ")";
}

json::object DistJson(const Distribution& d) {
  return json::object{{"n", d.n},     {"p50", d.p50}, {"p95", d.p95},
                      {"p99", d.p99}, {"max", d.max}, {"mean", d.mean}};
}

std::string Value(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v)) && std::fabs(v) < 1e9)
    return std::to_string(static_cast<int64_t>(v));
  return Fmt(std::fabs(v) < 10 ? "%.2f" : "%.1f", v);
}

std::string Target(const SloResult& o) { return (o.at_most ? "<= " : ">= ") + Value(o.target); }

std::string Measured(const SloResult& o) {
  if (o.measured) return Value(*o.measured);
  return "-";
}

int Failed(const LoadReport& r) {
  int n = 0;
  for (const SloResult& o : r.slo) n += o.outcome == SloResult::Outcome::kFail;
  return n;
}

std::string VerdictLine(const LoadReport& r) {
  int judged = 0;
  for (const SloResult& o : r.slo) judged += o.outcome != SloResult::Outcome::kNotApplicable;
  std::string s = r.Passed() ? "PASS" : "FAIL";
  s += " (" + std::to_string(judged - Failed(r)) + " of " + std::to_string(judged) +
       " objectives met";
  if (r.joins_attempted == 0) s += "; no join attempted";
  if (r.meeting_ended) s += "; the server ended a meeting";
  return s + ")";
}

std::string Pct(double v) { return v < 0 ? "-" : Fmt("%.1f", v); }

}  // namespace

// Per-meeting rows are shown when a run has at most this many meetings (and more than one).
constexpr size_t kMaxMeetingRows = 10;

std::string ReportTable(const LoadReport& r) {
  std::ostringstream o;
  auto row = [&o](const std::string& k, const std::string& v) {
    o << "  " << k << std::string(k.size() < 34 ? 34 - k.size() : 1, ' ') << v << "\n";
  };
  o << "sfu-loadtest report" << (r.interrupted ? " (interrupted)" : "") << "\n";
  o << "  verdict: " << VerdictLine(r) << "\n";
  char line[200];
  std::snprintf(line, sizeof(line), "    %-22s %-11s %-11s %s\n", "objective", "target", "measured",
                "result");
  o << line;
  for (const SloResult& s : r.slo) {
    std::snprintf(line, sizeof(line), "    %-22s %-11s %-11s %s", s.name.c_str(), Target(s).c_str(),
                  Measured(s).c_str(), OutcomeName(s.outcome));
    o << line << (s.note.empty() ? "" : "  (" + s.note + ")") << "\n";
  }
  for (const std::string& w : r.warnings) o << "  WARNING: " << w << "\n";
  if (r.target != "chime") row("target", r.target);
  row("endpoint", r.endpoint);
  row("scenario", std::to_string(r.meetings) + " meetings x " +
                      std::to_string(r.attendees_per_meeting) + " attendees, " +
                      std::to_string(r.talkers_per_meeting) + " talkers and " +
                      std::to_string(r.video_senders_per_meeting) + " cameras each");
  if (r.media_path != "udp") row("media path", r.media_path);
  row("ran", Fmt("%.1f s", r.ran_s) + " of " + Fmt("%.0f s", r.duration_s) + " on " +
                 std::to_string(r.threads) + " client threads");
  row("joins",
      std::to_string(r.joins_ok) + " of " + std::to_string(r.joins_attempted) + " succeeded");
  for (const auto& [why, n] : r.failures) row("  failed: " + why.substr(0, 60), std::to_string(n));
  row(r.mixed_audio ? "join time (ws -> first audio)" : "join time (ws -> publishing)",
      Dist(r.join_ms, "ms"));
  row("audio packets sent / received",
      std::to_string(r.audio_sent) + " / " + std::to_string(r.audio_received) +
          (r.audio_impaired ? " (" + std::to_string(r.audio_impaired) + " dropped by impairment)"
                            : ""));
  row("downlink audio loss",
      Fmt("%.2f %%", r.audio_loss_pct) +
          (r.audio_downlink_impaired
               ? Fmt(" (%.2f %% without our impairment's drops)", r.audio_server_loss_pct)
               : std::string()));
  row("downlink jitter per attendee", Dist(r.jitter_ms, "ms"));
  row("mouth-to-ear through the server", Dist(r.mouth_to_ear_ms, "ms"));
  row("mix-minus violations", std::to_string(r.mix_minus_violations) + " frames of " +
                                  std::to_string(r.analysed_frames) + " analysed");
  row("talkers heard while talking",
      r.talker_presence_pct < 0 ? "-" : Fmt("%.1f %%", r.talker_presence_pct));
  row("data messages sent/recv/throttled", std::to_string(r.data_sent) + " / " +
                                               std::to_string(r.data_received) + " / " +
                                               std::to_string(r.data_throttled));
  if (r.video_senders_per_meeting > 0) {
    row("video frames sent by cameras", std::to_string(r.video_frames_sent) + " (" +
                                            std::to_string(r.video_streams_subscribed) +
                                            " sections subscribed)");
    row("video frames expected / decoded",
        std::to_string(r.video_frames_expected) + " / " + std::to_string(r.video_frames_received) +
            (r.video_frames_expected
                 ? Fmt(" (%.1f %%)", 100.0 * static_cast<double>(r.video_frames_received) /
                                         static_cast<double>(r.video_frames_expected))
                 : std::string()));
    row("video freezes (>300 ms)", std::to_string(r.video_freezes));
    std::string widths;
    for (const auto& [w, n] : r.video_widths_at_end)
      widths += (widths.empty() ? "" : ", ") + std::to_string(w) + " px: " + std::to_string(n);
    row("decoded width at the end (streams)", widths.empty() ? "-" : widths);
    row("key-frame requests / resent packets", std::to_string(r.video_keyframe_requests) + " / " +
                                                   std::to_string(r.video_retransmissions));
    row("receivers: packets / repaired by NACK", std::to_string(r.video_packets_received) + " / " +
                                                     std::to_string(r.video_packets_recovered));
    row("receivers: NACKed / PLIs sent",
        std::to_string(r.video_nacks_sent) + " / " + std::to_string(r.video_plis_sent));
    row("new subscription -> first frame", Dist(r.video_first_frame_ms, "ms"));
    row("key-frame waits (broken -> key frame)", Dist(r.video_keyframe_wait_ms, "ms"));
    if (r.video_padding_bytes)
      row("probe padding received", std::to_string(r.video_padding_bytes / 1000) + " kB");
  }
  for (const LoadReport::Constrained& c : r.constrained) {
    std::string until = c.until_s > 0 ? Fmt(" to %.0f s", c.until_s) : std::string(" to the end");
    row("bottleneck " + std::to_string(c.kbps) + " kb/s" + Fmt(" from %.0f s", c.from_s) + until,
        "narrowest of " + std::to_string(c.streams) + " cameras " + std::to_string(c.width_before) +
            " -> lowest " + std::to_string(c.lowest_width) +
            (c.down_ms >= 0 ? Fmt(" after %.0f ms", c.down_ms) : std::string(" (never lower)")) +
            ", end " + std::to_string(c.width_at_end) +
            (c.up_ms >= 0 ? Fmt(" (back %.0f ms after the limit)", c.up_ms) : std::string()) +
            ", " + std::to_string(c.dropped) + " packets dropped" +
            (c.settled_fps >= 0 ? Fmt(", %.1f frames/s once settled", c.settled_fps)
                                : std::string()));
  }
  if (r.mouth_to_ear_by_5s_ms.size() > 1) {
    std::string windows;
    for (double ms : r.mouth_to_ear_by_5s_ms)
      windows += (windows.empty() ? "" : " ") + (ms < 0 ? std::string("-") : Fmt("%.0f", ms));
    row("mouth-to-ear p50 per 5 s (ms)", windows);
  }
  if (r.burst) {
    const LoadReport::Burst& b = *r.burst;
    row(Fmt("uplink delay burst %.0f-", b.from_s) + Fmt("%.0f s: mouth-to-ear", b.until_s),
        Fmt("p50 before %.0f ms, ", b.before_ms) + Fmt("during %.0f ms, ", b.during_ms) +
            (b.recovered_s >= 0 ? Fmt("within 10 ms of before %.0f s after it", b.recovered_s) +
                                      Fmt(" (then p50 %.0f ms)", b.after_ms)
                                : std::string("not back within 10 ms of before by the end")));
  }
  row("mute toggles / leaves (churn)",
      std::to_string(r.mute_toggles) + " / " + std::to_string(r.leaves));
  if (r.server_cost) {
    row("server CPU",
        Fmt("%.2f s", r.server_cpu_s) +
            Fmt(" (%.1f %% of a core", r.ran_s > 0 ? 100 * r.server_cpu_s / r.ran_s : 0) +
            ", from " + r.server_cpu_source + ")");
    if (r.server_rss_mib > 0)
      row("server memory (RSS)", Fmt("%.1f MiB at the end", r.server_rss_mib) +
                                     Fmt(", peak %.1f MiB", r.server_rss_peak_mib));
    row("server CPU per RTP packet received", Fmt("%.2f us", r.server_cpu_us_per_rtp_received) +
                                                  " (" + std::to_string(r.client_rtp_received) +
                                                  " packets the clients received)");
    if (r.client_video_rtp_received)
      row("server CPU per video packet received",
          Fmt("%.2f us", r.server_cpu_us_per_video_rtp_received) + " (" +
              std::to_string(r.client_video_rtp_received) + " video packets; all its CPU)");
    row("server CPU per attendee-s with media",
        Fmt("%.1f us", r.server_cpu_us_per_media_attendee_s) +
            Fmt(" (%.0f attendee-seconds receiving media)", r.media_attendee_seconds));
  } else {
    row("server cost", "not available (no /metrics, no --server-pid)");
  }
  if (r.server_metrics) {
    row("server packets in / out per s",
        Fmt("%.0f", r.ran_s > 0 ? r.server_packets_in / r.ran_s : 0) + " / " +
            Fmt("%.0f", r.ran_s > 0 ? r.server_packets_out / r.ran_s : 0));
    row("server CPU per packet out", Fmt("%.2f us", r.server_cpu_us_per_packet_out));
    row("server CPU per mixed attendee-s", Fmt("%.1f us", r.server_cpu_us_per_mixed_attendee_s));
  }
  row("client CPU per attendee-second",
      Fmt("%.1f us", r.client_cpu_us_per_attendee_s) + Fmt(" (%.2f s in all)", r.client_cpu_s));
  row("client health",
      Fmt("CPU %.0f %% of a core", r.client_cpu_pct) + ", " + std::to_string(r.client_late_ticks) +
          " of " + std::to_string(r.client_ticks) + " ticks late (max " +
          Fmt("%.0f ms)", r.client_tick_late_max_ms) +
          (r.machine_busy_pct >= 0 ? Fmt(", machine %.0f %% busy", r.machine_busy_pct) + " of " +
                                         std::to_string(r.machine_cores) + " cores"
                                   : std::string()));
  if (r.per_meeting.size() > 1 && r.per_meeting.size() <= kMaxMeetingRows) {
    o << "  per meeting: joins ok/attempted, join p99 ms, mouth-to-ear p95 ms, talkers heard %, "
         "audio loss %, frames decoded %, freezes\n";
    for (const MeetingRow& m : r.per_meeting) {
      std::snprintf(
          line, sizeof(line), "    meeting %-3d %d/%d  %s  %s  %s  %s  %s  %llu\n", m.meeting,
          m.joins_ok, m.joins_attempted, m.join_ms.n ? Fmt("%.0f", m.join_ms.p99).c_str() : "-",
          m.mouth_to_ear_ms.n ? Fmt("%.0f", m.mouth_to_ear_ms.p95).c_str() : "-",
          Pct(m.talkers_heard_pct).c_str(), Pct(m.audio_loss_pct).c_str(),
          Pct(m.frames_decoded_pct).c_str(), static_cast<unsigned long long>(m.video_freezes));
      o << line;
    }
  }
  for (const std::string& n : r.notes) o << "  note: " << n << "\n";
  o << "  result: " << (r.Passed() ? "PASS" : "FAIL") << "\n";
  return o.str();
}

static json::array ConstrainedJson(const LoadReport& r) {
  json::array out;
  for (const LoadReport::Constrained& c : r.constrained) {
    json::array widths;
    for (const auto& w : c.widths)
      widths.push_back(json::object{{"t", w.t}, {"ssrc", w.ssrc}, {"width", w.width}});
    out.push_back(json::object{{"kbps", c.kbps},
                               {"from_s", c.from_s},
                               {"until_s", c.until_s},
                               {"streams", c.streams},
                               {"width_before", c.width_before},
                               {"lowest_width", c.lowest_width},
                               {"width_at_end", c.width_at_end},
                               {"down_ms", c.down_ms},
                               {"up_ms", c.up_ms},
                               {"dropped", c.dropped},
                               {"settled_fps", c.settled_fps},
                               {"widths", widths}});
  }
  return out;
}

std::string ReportJson(const LoadReport& r) {
  json::object failures;
  for (const auto& [why, n] : r.failures) failures[why] = n;
  json::array timeline;
  for (const SecondSample& s : r.timeline) {
    timeline.push_back(json::object{{"t", s.t},
                                    {"in_meeting", s.in_meeting},
                                    {"media", s.media},
                                    {"loss_pct", s.loss_pct},
                                    {"errors", s.errors},
                                    {"server_cpu_pct", s.server_cpu_pct},
                                    {"client_cpu_pct", s.client_cpu_pct},
                                    {"server_pps_out", s.server_pps_out}});
  }
  json::array notes;
  for (const auto& n : r.notes) notes.push_back(json::string(n));
  json::array warnings;
  for (const auto& n : r.warnings) warnings.push_back(json::string(n));
  json::array slo;
  for (const SloResult& s : r.slo) {
    slo.push_back(
        json::object{{"name", s.name},
                     {"description", s.description},
                     {"comparison", s.at_most ? "at_most" : "at_least"},
                     {"target", s.target},
                     {"measured", s.measured ? json::value(*s.measured) : json::value(nullptr)},
                     {"result", s.outcome == SloResult::Outcome::kPass   ? "pass"
                                : s.outcome == SloResult::Outcome::kFail ? "fail"
                                                                         : "n/a"},
                     {"note", s.note}});
  }
  json::array meetings;
  for (const MeetingRow& m : r.per_meeting) {
    auto opt = [](double v) { return v < 0 ? json::value(nullptr) : json::value(v); };
    meetings.push_back(json::object{{"meeting", m.meeting},
                                    {"joins_attempted", m.joins_attempted},
                                    {"joins_succeeded", m.joins_ok},
                                    {"join_ms", DistJson(m.join_ms)},
                                    {"mouth_to_ear_ms", DistJson(m.mouth_to_ear_ms)},
                                    {"talkers_heard_pct", opt(m.talkers_heard_pct)},
                                    {"audio_loss_pct", opt(m.audio_loss_pct)},
                                    {"frames_decoded_pct", opt(m.frames_decoded_pct)},
                                    {"video_freezes", m.video_freezes}});
  }
  json::object o{
      {"target", r.target},
      {"endpoint", r.endpoint},
      {"scenario", json::object{{"meetings", r.meetings},
                                {"attendees_per_meeting", r.attendees_per_meeting},
                                {"talkers_per_meeting", r.talkers_per_meeting},
                                {"duration_s", r.duration_s},
                                {"threads", r.threads},
                                {"media_path", r.media_path}}},
      {"ran_s", r.ran_s},
      {"interrupted", r.interrupted},
      {"passed", r.Passed()},
      {"verdict", VerdictLine(r)},
      {"slo", slo},
      {"warnings", warnings},
      {"per_meeting", meetings},
      {"joins", json::object{{"attempted", r.joins_attempted},
                             {"succeeded", r.joins_ok},
                             {"failed_by_reason", failures},
                             {"time_ms", DistJson(r.join_ms)}}},
      {"audio", json::object{{"packets_sent", r.audio_sent},
                             {"packets_impaired", r.audio_impaired},
                             {"packets_received", r.audio_received},
                             {"packets_expected", r.audio_expected},
                             {"packets_dropped_by_downlink_impairment", r.audio_downlink_impaired},
                             {"loss_pct", r.audio_loss_pct},
                             {"loss_without_impairment_pct", r.audio_server_loss_pct},
                             {"jitter_ms", DistJson(r.jitter_ms)},
                             {"mouth_to_ear_ms", DistJson(r.mouth_to_ear_ms)},
                             {"analysed_frames", r.analysed_frames},
                             {"mix_minus_violations", r.mix_minus_violations},
                             {"talker_presence_pct", r.talker_presence_pct}}},
      {"data_messages",
       json::object{
           {"sent", r.data_sent}, {"received", r.data_received}, {"throttled", r.data_throttled}}},
      {"video", json::object{{"senders_per_meeting", r.video_senders_per_meeting},
                             {"frames_sent", r.video_frames_sent},
                             {"frames_received", r.video_frames_received},
                             {"freezes", r.video_freezes},
                             {"keyframe_requests", r.video_keyframe_requests},
                             {"retransmissions", r.video_retransmissions},
                             {"sections_subscribed", r.video_streams_subscribed},
                             {"frames_expected", r.video_frames_expected},
                             {"packets_received", r.video_packets_received},
                             {"packets_recovered", r.video_packets_recovered},
                             {"nacks_sent", r.video_nacks_sent},
                             {"plis_sent", r.video_plis_sent},
                             {"padding_bytes_received", r.video_padding_bytes},
                             {"first_frame_ms", DistJson(r.video_first_frame_ms)},
                             {"keyframe_wait_ms", DistJson(r.video_keyframe_wait_ms)},
                             {"stream_seconds", r.video_stream_seconds},
                             {"widths_at_end",
                              [&] {
                                json::object w;
                                for (const auto& [px, n] : r.video_widths_at_end)
                                  w[std::to_string(px)] = n;
                                return w;
                              }()},
                             {"constrained", ConstrainedJson(r)}}},
      {"delay_burst", r.burst
                          ? json::value(json::object{{"from_s", r.burst->from_s},
                                                     {"until_s", r.burst->until_s},
                                                     {"mouth_to_ear_before_ms", r.burst->before_ms},
                                                     {"mouth_to_ear_during_ms", r.burst->during_ms},
                                                     {"mouth_to_ear_after_ms", r.burst->after_ms},
                                                     {"recovered_s", r.burst->recovered_s}})
                          : json::value(nullptr)},
      {"mouth_to_ear_p50_per_5s_ms", [&] {
         json::array a;
         for (double ms : r.mouth_to_ear_by_5s_ms) a.push_back(ms < 0 ? json::value(nullptr) : json::value(ms));
         return a;
       }()},
      {"mute_toggles", r.mute_toggles},
      {"leaves", r.leaves},
      {"meeting_ended", r.meeting_ended},
      {"server",
       json::object{{"metrics_available", r.server_metrics},
                    {"cost_available", r.server_cost},
                    {"cpu_source", r.server_cpu_source},
                    {"cpu_s", r.server_cpu_s},
                    {"rss_mib", r.server_rss_mib},
                    {"rss_peak_mib", r.server_rss_peak_mib},
                    {"client_rtp_received", r.client_rtp_received},
                    {"media_attendee_seconds", r.media_attendee_seconds},
                    {"cpu_us_per_rtp_received", r.server_cpu_us_per_rtp_received},
                    {"client_video_rtp_received", r.client_video_rtp_received},
                    {"cpu_us_per_video_rtp_received", r.server_cpu_us_per_video_rtp_received},
                    {"cpu_us_per_media_attendee_second", r.server_cpu_us_per_media_attendee_s},
                    {"packets_in", r.server_packets_in},
                    {"packets_out", r.server_packets_out},
                    {"mixed_attendee_seconds", r.mixed_attendee_seconds},
                    {"cpu_us_per_packet_out", r.server_cpu_us_per_packet_out},
                    {"cpu_us_per_mixed_attendee_second", r.server_cpu_us_per_mixed_attendee_s}}},
      {"client", json::object{{"cpu_s", r.client_cpu_s},
                              {"cpu_us_per_attendee_second", r.client_cpu_us_per_attendee_s},
                              {"cpu_pct", r.client_cpu_pct},
                              {"ticks", r.client_ticks},
                              {"late_ticks", r.client_late_ticks},
                              {"tick_late_max_ms", r.client_tick_late_max_ms},
                              {"machine_busy_pct", r.machine_busy_pct},
                              {"machine_cores", r.machine_cores},
                              {"saturated", r.client_saturated}}},
      {"timeline", timeline},
      {"notes", notes},
  };
  return json::serialize(o) + "\n";
}

namespace {

std::string Escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '&':
        o += "&amp;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

// A small inline SVG line plot of (x, y) series.
std::string LinePlot(
    const std::string& title,
    const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& series,
    const std::string& y_unit) {
  const double w = 640, h = 220, left = 50, bottom = 30, top = 24, right = 12;
  double xmax = 1, ymax = 1;
  for (const auto& [name, pts] : series)
    for (const auto& [x, y] : pts) {
      xmax = std::max(xmax, x);
      ymax = std::max(ymax, y);
    }
  ymax *= 1.1;
  static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
  std::ostringstream o;
  o << "<svg width='" << w << "' height='" << h
    << "' xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>";
  o << "<text x='" << left << "' y='14' font-weight='bold'>" << Escape(title) << "</text>";
  o << "<line x1='" << left << "' y1='" << h - bottom << "' x2='" << w - right << "' y2='"
    << h - bottom << "' stroke='#888'/>";
  o << "<line x1='" << left << "' y1='" << top << "' x2='" << left << "' y2='" << h - bottom
    << "' stroke='#888'/>";
  o << "<text x='4' y='" << top + 4 << "'>" << Fmt("%.3g", ymax) << "</text><text x='4' y='"
    << h - bottom << "'>0</text>";
  o << "<text x='" << w - right - 60 << "' y='" << h - 8 << "'>" << Fmt("%.0f s", xmax)
    << "</text>";
  o << "<text x='4' y='" << h / 2 << "'>" << Escape(y_unit) << "</text>";
  int ci = 0;
  for (const auto& [name, pts] : series) {
    const char* color = kColors[ci % 4];
    o << "<polyline fill='none' stroke='" << color << "' stroke-width='1.5' points='";
    for (const auto& [x, y] : pts) {
      o << Fmt("%.1f", left + (w - left - right) * x / xmax) << ","
        << Fmt("%.1f", h - bottom - (h - bottom - top) * y / ymax) << " ";
    }
    o << "'/><text x='" << left + 10 + 150 * ci << "' y='" << h - 8 << "' fill='" << color << "'>"
      << Escape(name) << "</text>";
    ++ci;
  }
  o << "</svg>";
  return o.str();
}

std::string Histogram(const std::string& title, const std::vector<double>& values,
                      const std::string& unit) {
  const double w = 640, h = 220, left = 50, bottom = 30, top = 24;
  if (values.empty()) return "<p>" + Escape(title) + ": no data</p>";
  const double vmax = *std::max_element(values.begin(), values.end());
  const int bins = 30;
  const double width = std::max(vmax, 1.0) / bins;
  std::vector<int> counts(bins, 0);
  for (double v : values) counts[std::min(bins - 1, static_cast<int>(v / width))]++;
  const int cmax = *std::max_element(counts.begin(), counts.end());
  std::ostringstream o;
  o << "<svg width='" << w << "' height='" << h
    << "' xmlns='http://www.w3.org/2000/svg' font-family='sans-serif' font-size='11'>";
  o << "<text x='" << left << "' y='14' font-weight='bold'>" << Escape(title) << "</text>";
  const double bw = (w - left - 12) / bins;
  for (int b = 0; b < bins; ++b) {
    const double bh = (h - bottom - top) * counts[b] / std::max(cmax, 1);
    o << "<rect x='" << Fmt("%.1f", left + b * bw) << "' y='" << Fmt("%.1f", h - bottom - bh)
      << "' width='" << Fmt("%.1f", bw - 1) << "' height='" << Fmt("%.1f", bh)
      << "' fill='#1f77b4'/>";
  }
  o << "<text x='" << left << "' y='" << h - 8 << "'>0</text><text x='" << w - 80 << "' y='"
    << h - 8 << "'>" << Fmt("%.0f ", std::max(vmax, 1.0)) << Escape(unit)
    << "</text><text x='4' y='" << top + 4 << "'>" << cmax << "</text>";
  o << "</svg>";
  return o.str();
}

// The verdict first: each objective with its target, measured value and result; warnings about
// the load tester's own saturation; per-meeting rows when there are few meetings.
std::string VerdictHtml(const LoadReport& r) {
  std::ostringstream o;
  o << "<p><b>Verdict: " << Escape(VerdictLine(r)) << "</b> &mdash; " << Escape(r.target) << " at "
    << Escape(r.endpoint) << ", " << r.meetings << " meetings &times; " << r.attendees_per_meeting
    << " attendees (" << r.talkers_per_meeting << " talkers, " << r.video_senders_per_meeting
    << " cameras), " << Fmt("%.0f s", r.ran_s) << "</p>";
  for (const std::string& w : r.warnings) o << "<p class='fail'>Warning: " << Escape(w) << "</p>";
  o << "<table><tr><th>objective</th><th>what</th><th>target</th><th>measured</th>"
       "<th>result</th></tr>";
  for (const SloResult& s : r.slo) {
    const char* cls = s.outcome == SloResult::Outcome::kFail   ? "fail"
                      : s.outcome == SloResult::Outcome::kPass ? "pass"
                                                               : "na";
    o << "<tr><td><code>" << Escape(s.name) << "</code></td><td>" << Escape(s.description)
      << "</td><td>" << Escape(Target(s)) << "</td><td>" << Escape(Measured(s))
      << "</td><td class='" << cls << "'>" << OutcomeName(s.outcome)
      << (s.note.empty() ? "" : " (" + Escape(s.note) + ")") << "</td></tr>";
  }
  o << "</table>";
  if (r.per_meeting.size() > 1 && r.per_meeting.size() <= kMaxMeetingRows) {
    o << "<h2>Per meeting</h2><table><tr><th>meeting</th><th>joins ok</th><th>join p99 ms</th>"
         "<th>mouth-to-ear p95 ms</th><th>talkers heard %</th><th>audio loss %</th>"
         "<th>frames decoded %</th><th>freezes</th></tr>";
    for (const MeetingRow& m : r.per_meeting) {
      o << "<tr><td>" << m.meeting << "</td><td>" << m.joins_ok << " / " << m.joins_attempted
        << "</td><td>" << (m.join_ms.n ? Fmt("%.0f", m.join_ms.p99) : "-") << "</td><td>"
        << (m.mouth_to_ear_ms.n ? Fmt("%.0f", m.mouth_to_ear_ms.p95) : "-") << "</td><td>"
        << Pct(m.talkers_heard_pct) << "</td><td>" << Pct(m.audio_loss_pct) << "</td><td>"
        << Pct(m.frames_decoded_pct) << "</td><td>" << m.video_freezes << "</td></tr>";
    }
    o << "</table>";
  }
  return o.str();
}

}  // namespace

std::string ReportHtml(const LoadReport& r) {
  std::vector<std::pair<double, double>> loss, server_cpu, client_cpu, media;
  for (const SecondSample& s : r.timeline) {
    loss.emplace_back(s.t, s.loss_pct);
    if (s.server_cpu_pct >= 0) server_cpu.emplace_back(s.t, s.server_cpu_pct);
    client_cpu.emplace_back(s.t, s.client_cpu_pct);
    media.emplace_back(s.t, s.media);
  }
  std::ostringstream o;
  o << "<!doctype html><html><head><meta charset='utf-8'><title>sfu-loadtest report</title>"
       "<style>body{font-family:sans-serif;margin:2em;max-width:60em}pre{background:#f4f4f4;"
       "padding:1em}"
       ".pass{color:#2ca02c}.fail{color:#d62728}.na{color:#888}table{border-collapse:collapse}"
       "td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>";
  o << "<h1>sfu-loadtest report <span class='" << (r.Passed() ? "pass'>PASS" : "fail'>FAIL")
    << "</span></h1>";
  o << VerdictHtml(r);
  o << Histogram("Join time (WebSocket connect -> first mixed audio packet)", r.join_ms_values,
                 "ms")
    << "<br>";
  o << LinePlot("Attendees receiving audio", {{"media flowing", media}}, "attendees") << "<br>";
  o << LinePlot("Downlink audio loss per second", {{"loss %", loss}}, "%") << "<br>";
  o << LinePlot("CPU over time (% of one core)", {{"server", server_cpu}, {"client", client_cpu}},
                "%");
  // Behind a bottleneck: each received camera's decoded width over time, as steps.
  for (const LoadReport::Constrained& c : r.constrained) {
    std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> series;
    std::map<uint32_t, size_t> index;
    for (const auto& w : c.widths) {
      auto it = index.find(w.ssrc);
      if (it == index.end()) {
        it = index.emplace(w.ssrc, series.size()).first;
        series.push_back({"camera " + std::to_string(series.size() + 1), {}});
      }
      auto& pts = series[it->second].second;
      if (!pts.empty()) pts.emplace_back(w.t, pts.back().second);  // hold until the change
      pts.emplace_back(w.t, w.width);
    }
    for (auto& [name, pts] : series)
      if (!pts.empty()) pts.emplace_back(r.ran_s, pts.back().second);
    std::string until = c.until_s > 0 ? Fmt("%.0f s", c.until_s) : std::string("the end");
    o << "<br>"
      << LinePlot("Decoded width behind a " + std::to_string(c.kbps) + " kb/s bottleneck (" +
                      Fmt("%.0f s", c.from_s) + " to " + until + ")",
                  series, "px");
  }
  o << "<h2>All figures</h2><pre>" << Escape(ReportTable(r)) << "</pre>";
  o << "<p>JSON of this run: rerun with <code>--json FILE</code>.</p></body></html>\n";
  return o.str();
}

}  // namespace sfu::loadtest

#include "loadtest/run_analysis.h"

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace sfu::loadtest {

// Mouth-to-ear around an uplink delay/jitter burst: the median before it (from 3 s into the run),
// during it, and the first second after it from which every one-second window's median stays
// within 10 ms of the median before (the jitter buffers shrank back).
LoadReport::Burst AnalyseBurst(std::vector<std::pair<double, double>> at, double from_s,
                               double until_s) {
  LoadReport::Burst b;
  b.from_s = from_s;
  b.until_s = until_s;
  auto median = [](std::vector<double> v) {
    if (v.empty()) return -1.0;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  std::vector<double> before, during;
  double end_s = 0;
  for (const auto& [t, ms] : at) {
    if (t >= 3 && t < from_s) before.push_back(ms);
    if (t >= from_s && t < until_s) during.push_back(ms);
    end_s = std::max(end_s, t);
  }
  b.before_ms = median(before);
  b.during_ms = median(during);
  if (b.before_ms < 0) return b;
  std::vector<double> per_second;  // median of each one-second window after the burst
  for (double w = until_s; w + 1 <= end_s + 1e-9; w += 1) {
    std::vector<double> in;
    for (const auto& [t, ms] : at)
      if (t >= w && t < w + 1) in.push_back(ms);
    per_second.push_back(median(in));
  }
  for (size_t k = 0; k < per_second.size(); ++k) {
    bool settled = true;
    for (size_t j = k; j < per_second.size(); ++j)
      if (per_second[j] >= 0 && per_second[j] > b.before_ms + 10) settled = false;
    if (settled) {
      b.recovered_s = static_cast<double>(k);
      break;
    }
  }
  std::vector<double> after;
  for (const auto& [t, ms] : at)
    if (t >= until_s + std::max(0.0, b.recovered_s)) after.push_back(ms);
  b.after_ms = median(after);
  return b;
}

std::vector<double> MouthToEarByWindow(const std::vector<std::pair<double, double>>& at,
                                       double window_s) {
  std::vector<std::vector<double>> windows;
  for (const auto& [t, ms] : at) {
    if (t < 0) continue;
    const size_t w = static_cast<size_t>(t / window_s);
    if (windows.size() <= w) windows.resize(w + 1);
    windows[w].push_back(ms);
  }
  std::vector<double> medians;
  for (auto& v : windows) {
    if (v.empty()) {
      medians.push_back(-1);
      continue;
    }
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    medians.push_back(v[v.size() / 2]);
  }
  return medians;
}

// What a bottlenecked attendee saw, per received camera: its width when the limit began, the
// narrowest under it, and how long the first switch down and the last climb back took.
LoadReport::Constrained Constrain(const AttendeeStats& s, int64_t t0_us) {
  LoadReport::Constrained c;
  c.kbps = s.downlink_kbps;
  c.from_s = static_cast<double>(s.limit_from_us - t0_us) / 1e6;
  c.until_s = s.limit_until_us ? static_cast<double>(s.limit_until_us - t0_us) / 1e6 : 0;
  c.dropped = s.downlink_dropped;
  if (s.limit_window_s > 0)
    c.settled_fps = static_cast<double>(s.limit_window_frames) / s.limit_window_s;
  std::map<uint32_t, int> before, now;  // per stream
  int64_t last_up_us = -1;
  bool all_back = false;
  for (const WidthChange& w : s.video_width_changes) {
    c.widths.push_back({static_cast<double>(w.at_us - t0_us) / 1e6, w.ssrc, w.width});
    now[w.ssrc] = w.width;
    if (w.at_us <= s.limit_from_us) {
      before[w.ssrc] = w.width;
      continue;
    }
    auto b = before.find(w.ssrc);
    const bool during = s.limit_until_us == 0 || w.at_us < s.limit_until_us;
    if (during) {
      if (c.lowest_width == 0 || w.width < c.lowest_width) c.lowest_width = w.width;
      if (c.down_ms < 0 && b != before.end() && w.width < b->second)
        c.down_ms = static_cast<double>(w.at_us - s.limit_from_us) / 1000.0;
    } else if (!before.empty()) {
      bool back = true;
      for (const auto& [ssrc, width] : before)
        if (now.count(ssrc) && now[ssrc] < width) back = false;
      if (back && !all_back) last_up_us = w.at_us;
      all_back = back;
    }
  }
  c.streams = static_cast<int>(before.size());
  for (const auto& [ssrc, width] : before)
    if (c.width_before == 0 || width < c.width_before) c.width_before = width;
  for (const auto& [ssrc, width] : now)
    if (before.count(ssrc) && (c.width_at_end == 0 || width < c.width_at_end))
      c.width_at_end = width;
  if (c.lowest_width == 0) c.lowest_width = c.width_before;
  if (s.limit_until_us && all_back && last_up_us >= 0)
    c.up_ms = static_cast<double>(last_up_us - s.limit_until_us) / 1000.0;
  // Never lower under the limit, nothing to climb back from.
  if (s.limit_until_us && c.down_ms < 0 && c.width_at_end >= c.width_before && c.width_before > 0)
    c.up_ms = 0;
  return c;
}

double LossPct(uint64_t expected, uint64_t received, uint64_t impaired) {
  if (expected == 0 || expected <= received + impaired) return 0;
  return 100.0 * static_cast<double>(expected - received - impaired) /
         static_cast<double>(expected);
}

std::vector<MeetingRow> PerMeeting(const std::vector<AttendeeStats>& attendees, int meetings) {
  struct Acc {
    std::vector<double> join, m2e;
    uint64_t presence = 0, heard = 0, expected = 0, received = 0, impaired = 0;
    uint64_t frames = 0, frames_expected = 0;
  };
  std::vector<MeetingRow> rows(static_cast<size_t>(std::max(meetings, 0)));
  std::vector<Acc> acc(rows.size());
  for (const AttendeeStats& s : attendees) {
    if (s.meeting < 0 || static_cast<size_t>(s.meeting) >= rows.size()) continue;
    MeetingRow& r = rows[static_cast<size_t>(s.meeting)];
    Acc& a = acc[static_cast<size_t>(s.meeting)];
    r.joins_attempted += s.joins_attempted;
    r.joins_ok += s.joins_ok;
    a.join.insert(a.join.end(), s.join_ms.begin(), s.join_ms.end());
    a.m2e.insert(a.m2e.end(), s.mouth_to_ear_ms.begin(), s.mouth_to_ear_ms.end());
    a.presence += s.presence_frames;
    a.heard += s.presence_heard;
    a.expected += s.audio_expected;
    a.received += s.audio_received;
    a.impaired += s.audio_downlink_impaired;
    a.frames += s.video_frames_received;
    a.frames_expected += s.video_frames_expected;
    r.video_freezes += s.video_freezes;
  }
  for (size_t m = 0; m < rows.size(); ++m) {
    MeetingRow& r = rows[m];
    const Acc& a = acc[m];
    r.meeting = static_cast<int>(m);
    r.join_ms = Distribution::Of(a.join);
    r.mouth_to_ear_ms = Distribution::Of(a.m2e);
    if (a.presence)
      r.talkers_heard_pct = 100.0 * static_cast<double>(a.heard) / static_cast<double>(a.presence);
    if (a.expected) r.audio_loss_pct = LossPct(a.expected, a.received, a.impaired);
    if (a.frames_expected)
      r.frames_decoded_pct =
          100.0 * static_cast<double>(a.frames) / static_cast<double>(a.frames_expected);
  }
  return rows;
}

// Warnings when the load tester or the machine was the bottleneck: late ticks send and measure
// late, and a machine with no idle CPU slows the server for reasons that are not its own.
void JudgeClientHealth(LoadReport* r, double late_tick_ms) {
  r->client_cpu_pct = r->ran_s > 0 ? 100.0 * r->client_cpu_s / r->ran_s : 0;
  const double late_pct = r->client_ticks ? 100.0 * static_cast<double>(r->client_late_ticks) /
                                                static_cast<double>(r->client_ticks)
                                          : 0;
  char buf[400];
  const bool cpu_bound = r->client_cpu_pct > 80.0 * r->threads;
  if (late_pct > 5 || cpu_bound) {
    r->client_saturated = true;
    std::snprintf(buf, sizeof(buf),
                  "the load tester fell behind: %.0f %% of its 20 ms ticks ran over %.0f ms late "
                  "(worst %.0f ms) while it used %.0f %% of a core on %d threads (%s); what it "
                  "measured includes its own delays",
                  late_pct, late_tick_ms, r->client_tick_late_max_ms, r->client_cpu_pct, r->threads,
                  cpu_bound ? "its own CPU was the limit: fewer attendees per client machine"
                            : "the machine did not give it CPU in time");
    r->warnings.push_back(buf);
  }
  if (r->machine_busy_pct >= 90) {
    std::snprintf(buf, sizeof(buf),
                  "the machine's CPUs were %.0f %% busy over the run (server, load tester and "
                  "anything else on it): they competed for CPU, so delays and loss may not be "
                  "the server's own",
                  r->machine_busy_pct);
    r->warnings.push_back(buf);
  }
}

bool ReadProcessUsage(int pid, double* cpu_s, double* rss_mib, double* rss_peak_mib) {
  // /proc/<pid>/stat (proc(5)): fields after the ")" that ends the command name; utime and
  // stime are the 14th and 15th fields, in clock ticks.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream in(line.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const long hz = sysconf(_SC_CLK_TCK);
  *cpu_s = static_cast<double>(utime + stime) / static_cast<double>(hz > 0 ? hz : 100);
  *rss_mib = *rss_peak_mib = 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) *rss_mib = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) *rss_peak_mib = std::stod(line.substr(6)) / 1024.0;
  }
  return true;
}

bool ReadMachineCpu(uint64_t* busy, uint64_t* total) {
  // "cpu  user nice system idle iowait irq softirq steal ..." (proc(5)); idle and iowait are
  // not busy.
  std::ifstream f("/proc/stat");
  std::string line;
  if (!std::getline(f, line) || line.rfind("cpu ", 0) != 0) return false;
  std::istringstream in(line.substr(4));
  uint64_t v = 0, sum = 0, idle = 0;
  for (int i = 0; i < 8 && in >> v; ++i) {
    sum += v;
    if (i == 3 || i == 4) idle += v;
  }
  *total = sum;
  *busy = sum - idle;
  return sum > 0;
}

}  // namespace sfu::loadtest

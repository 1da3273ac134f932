#pragma once
// What the load runner concludes from the attendees' raw measurements once the run is over: the
// downlink-bottleneck view of one constrained attendee, and mouth-to-ear around a jitter burst.
// Pure functions of their inputs (times in microseconds on the steady clock, or seconds since the
// run started).

#include <cstdint>
#include <utility>
#include <vector>

#include "loadtest/load_report.h"
#include "loadtest/sim_attendee.h"

namespace sfu::loadtest {

// Mouth-to-ear samples (s since the start, ms) around a burst from from_s to until_s.
LoadReport::Burst AnalyseBurst(std::vector<std::pair<double, double>> at, double from_s,
                               double until_s);

// Median mouth-to-ear of each window_s-long window from the start (-1: no sample in it).
std::vector<double> MouthToEarByWindow(const std::vector<std::pair<double, double>>& at,
                                       double window_s);

// The widths an attendee behind --downlink-limit decoded before, during and after the limit.
LoadReport::Constrained Constrain(const AttendeeStats& s, int64_t t0_us);

// One row per meeting (0..meetings-1) from its attendees' figures.
std::vector<MeetingRow> PerMeeting(const std::vector<AttendeeStats>& attendees, int meetings);

// Downlink audio loss in percent, all of it and without what our own impairment dropped.
double LossPct(uint64_t expected, uint64_t received, uint64_t impaired = 0);

// Sets client_cpu_pct and client_saturated, and adds a warning when the load tester fell
// behind (over 5 % of its ticks more than late_tick_ms late, or its CPU near its threads' cores)
// or the machine was over 90 % busy: the figures then describe the load tester or the machine,
// not the server alone.
void JudgeClientHealth(LoadReport* r, double late_tick_ms);

// A process's CPU seconds (user + system, all threads) and resident memory now and at its peak
// (MiB) from /proc/<pid>; false if it is not readable (gone, or another machine's).
bool ReadProcessUsage(int pid, double* cpu_s, double* rss_mib, double* rss_peak_mib);

// Whole-machine CPU from /proc/stat: jiffies busy and in all, summed over cores; false if
// unreadable.
bool ReadMachineCpu(uint64_t* busy, uint64_t* total);

}  // namespace sfu::loadtest

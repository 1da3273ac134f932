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

}  // namespace sfu::loadtest

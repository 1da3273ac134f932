#pragma once
// Service-level objectives: what a run must achieve to pass. A load test that only checks that
// nothing crashed says PASS for a meeting nobody could follow (joins of 3.7 s, talkers heard half
// the time); the verdict instead compares each figure a meeting needs with its objective, shows
// the measured value beside it, and the exit status follows. Defaults are what a real meeting
// needs; `--slo name=value,...` sets them (`name=off` drops one).
// An objective the scenario cannot measure (no talkers, no cameras, a target that does not mix)
// is "n/a"; one it should have measured and did not (no talker ever heard) fails.
// Pure: no I/O. Thread: any.

#include <optional>
#include <string>
#include <vector>

namespace sfu::loadtest {

struct LoadReport;

struct SloObjective {
  std::string name;     // e.g. "join_p99_ms"
  bool at_most = true;  // true: measured <= target passes; false: measured >= target passes
  double target = 0;
  bool enabled = true;
};

// The defaults, in report order.
std::vector<SloObjective> DefaultObjectives();

// Applies "name=value,name=off,..." to *objectives. False with *error naming the bad item (an
// unknown name lists the known ones).
bool ApplySloSpec(const std::string& spec, std::vector<SloObjective>* objectives,
                  std::string* error);

struct SloResult {
  enum class Outcome { kPass, kFail, kNotApplicable };
  std::string name;
  std::string description;  // what is measured, for the report
  bool at_most = true;
  double target = 0;
  std::optional<double> measured;  // none: not measured
  Outcome outcome = Outcome::kNotApplicable;
  std::string note;  // why n/a, or why it failed without a value
};

// Judges a finished run. Disabled objectives are left out.
std::vector<SloResult> EvaluateSlo(const LoadReport& report,
                                   const std::vector<SloObjective>& objectives);

const char* OutcomeName(SloResult::Outcome outcome);  // "pass", "FAIL", "n/a"

}  // namespace sfu::loadtest

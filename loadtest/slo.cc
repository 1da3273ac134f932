#include "loadtest/slo.h"

#include <cstdlib>
#include <sstream>

#include "loadtest/load_report.h"

namespace sfu::loadtest {
namespace {

// What an objective measures in a report. `applies` is false (with a reason) when the scenario
// cannot produce the figure; `measure` returns nothing when it should have and did not.
struct Metric {
  const char* name;
  bool at_most;
  double default_target;
  const char* description;
  bool (*applies)(const LoadReport&, std::string* why);
  std::optional<double> (*measure)(const LoadReport&, std::string* why);
};

bool Always(const LoadReport&, std::string*) { return true; }

bool HearsTalkers(const LoadReport& r, std::string* why) {
  if (!r.mixed_audio) {
    *why = "the target forwards audio unmixed: not analysed";
    return false;
  }
  if (r.talkers_per_meeting == 0) {
    *why = "no talkers";
    return false;
  }
  if (r.analysed_per_meeting == 0) {
    *why = "--analyse 0";
    return false;
  }
  return true;
}

bool PresenceMeasurable(const LoadReport& r, std::string* why) {
  if (!HearsTalkers(r, why)) return false;
  if (r.talkers_per_meeting > r.mixed_talkers) {
    *why = "more talkers than the server mixes";
    return false;
  }
  return true;
}

bool ReceivesVideo(const LoadReport& r, std::string* why) {
  if (r.video_senders_per_meeting == 0) {
    *why = "no cameras";
    return false;
  }
  if (r.attendees_per_meeting < 2) {
    *why = "nobody to receive the camera";
    return false;
  }
  return true;
}

bool MixedAudio(const LoadReport& r, std::string* why) {
  if (!r.mixed_audio) {
    *why = "the target forwards audio unmixed: not received";
    return false;
  }
  return true;
}

std::optional<double> JoinSuccess(const LoadReport& r, std::string* why) {
  if (r.joins_attempted == 0) {
    *why = "no join attempted";
    return std::nullopt;
  }
  return 100.0 * r.joins_ok / r.joins_attempted;
}

std::optional<double> JoinP99(const LoadReport& r, std::string* why) {
  if (r.join_ms.n == 0) {
    *why = "no join completed";
    return std::nullopt;
  }
  return r.join_ms.p99;
}

std::optional<double> MouthToEarP95(const LoadReport& r, std::string* why) {
  if (r.mouth_to_ear_ms.n == 0) {
    *why = "no talker onset was heard";
    return std::nullopt;
  }
  return r.mouth_to_ear_ms.p95;
}

std::optional<double> TalkersHeard(const LoadReport& r, std::string* why) {
  if (r.talker_presence_pct < 0) {
    *why = "no analysed frame while a talker talked";
    return std::nullopt;
  }
  return r.talker_presence_pct;
}

std::optional<double> AudioLoss(const LoadReport& r, std::string* why) {
  if (r.audio_expected == 0) {
    *why = "no audio received";
    return std::nullopt;
  }
  return r.audio_server_loss_pct;
}

std::optional<double> MixMinus(const LoadReport& r, std::string* why) {
  if (r.analysed_frames == 0) {
    *why = "no frame analysed";
    return std::nullopt;
  }
  return static_cast<double>(r.mix_minus_violations);
}

std::optional<double> FramesDecoded(const LoadReport& r, std::string* why) {
  if (r.video_frames_expected == 0) {
    *why = "no video frame arrived";
    return std::nullopt;
  }
  return 100.0 * static_cast<double>(r.video_frames_received) /
         static_cast<double>(r.video_frames_expected);
}

std::optional<double> FreezesPerMinute(const LoadReport& r, std::string* why) {
  if (r.video_stream_seconds <= 0) {
    *why = "no video stream decoded";
    return std::nullopt;
  }
  return static_cast<double>(r.video_freezes) * 60.0 / r.video_stream_seconds;
}

std::optional<double> KeyFrameWaitP95(const LoadReport& r, std::string* why) {
  if (r.video_stream_seconds <= 0) {
    *why = "no video stream decoded";
    return std::nullopt;
  }
  return r.video_keyframe_wait_ms.n ? r.video_keyframe_wait_ms.p95 : 0.0;
}

// clang-format off
const Metric kMetrics[] = {
  {"join_success_pct", false, 100, "joins that got media, % of attempts", Always, JoinSuccess},
  {"join_p99_ms", true, 2000, "join time p99 (connect -> first media), ms", Always, JoinP99},
  {"mouth_to_ear_p95_ms", true, 250, "mouth-to-ear p95 through the server, ms", HearsTalkers, MouthToEarP95},
  {"talkers_heard_pct", false, 90, "talkers heard while talking, %", PresenceMeasurable, TalkersHeard},
  {"audio_loss_pct", true, 1, "downlink audio loss (not ours: impairment excluded), %", MixedAudio, AudioLoss},
  {"mix_minus_violations", true, 0, "frames in which a talker heard itself", HearsTalkers, MixMinus},
  {"frames_decoded_pct", false, 95, "video frames decoded, % of forwarded", ReceivesVideo, FramesDecoded},
  {"freezes_per_min", true, 0.5, "video freezes (>300 ms) per received stream-minute", ReceivesVideo, FreezesPerMinute},
  {"keyframe_wait_p95_ms", true, 1000, "broken picture -> next key frame p95, ms", ReceivesVideo, KeyFrameWaitP95},
};
// clang-format on

const Metric* FindMetric(const std::string& name) {
  for (const Metric& m : kMetrics)
    if (name == m.name) return &m;
  return nullptr;
}

}  // namespace

std::vector<SloObjective> DefaultObjectives() {
  std::vector<SloObjective> out;
  for (const Metric& m : kMetrics) out.push_back({m.name, m.at_most, m.default_target, true});
  return out;
}

bool ApplySloSpec(const std::string& spec, std::vector<SloObjective>* objectives,
                  std::string* error) {
  std::istringstream in(spec);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    const std::string name = item.substr(0, eq);
    SloObjective* o = nullptr;
    for (SloObjective& c : *objectives)
      if (c.name == name) o = &c;
    if (!o) {
      std::string known;
      for (const Metric& m : kMetrics) known += std::string(known.empty() ? "" : ", ") + m.name;
      *error = "--slo: unknown objective '" + name + "' (known: " + known + ")";
      return false;
    }
    if (eq == std::string::npos) {
      *error = "--slo: '" + item + "' needs a value (name=value or name=off)";
      return false;
    }
    const std::string value = item.substr(eq + 1);
    if (value == "off") {
      o->enabled = false;
      continue;
    }
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || v < 0) {
      *error = "--slo: '" + item + "': the value must be a number >= 0 or off";
      return false;
    }
    o->target = v;
    o->enabled = true;
  }
  return true;
}

std::vector<SloResult> EvaluateSlo(const LoadReport& r,
                                   const std::vector<SloObjective>& objectives) {
  std::vector<SloResult> out;
  for (const SloObjective& o : objectives) {
    const Metric* m = FindMetric(o.name);
    if (!m || !o.enabled) continue;
    SloResult res;
    res.name = o.name;
    res.description = m->description;
    res.at_most = o.at_most;
    res.target = o.target;
    if (!m->applies(r, &res.note)) {
      res.outcome = SloResult::Outcome::kNotApplicable;
    } else if ((res.measured = m->measure(r, &res.note))) {
      const bool ok = o.at_most ? *res.measured <= o.target : *res.measured >= o.target;
      res.outcome = ok ? SloResult::Outcome::kPass : SloResult::Outcome::kFail;
    } else {
      res.outcome = SloResult::Outcome::kFail;  // it should have been measured
    }
    out.push_back(std::move(res));
  }
  return out;
}

const char* OutcomeName(SloResult::Outcome outcome) {
  switch (outcome) {
    case SloResult::Outcome::kPass:
      return "pass";
    case SloResult::Outcome::kFail:
      return "FAIL";
    case SloResult::Outcome::kNotApplicable:
      return "n/a";
  }
  return "?";
}

}  // namespace sfu::loadtest

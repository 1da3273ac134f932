// The load tester's verdict: objectives from the defaults and --slo, judged against a report; a
// run that misses one fails (and the exit status follows Passed()); objectives the scenario
// cannot measure are n/a, ones it should have measured and did not fail. Also the per-meeting
// rows and the report's renderings of the verdict.
#include "loadtest/slo.h"

#include <gtest/gtest.h>

#include "loadtest/load_report.h"
#include "loadtest/run_analysis.h"

namespace sfu::loadtest {
namespace {

// A small audio run that met every default objective.
LoadReport GoodAudioRun() {
  LoadReport r;
  r.meetings = 1;
  r.attendees_per_meeting = 4;
  r.talkers_per_meeting = 2;
  r.analysed_per_meeting = 2;
  r.joins_attempted = r.joins_ok = 4;
  r.join_ms = Distribution::Of({40, 45, 50, 60});
  r.mouth_to_ear_ms = Distribution::Of({60, 62, 70});
  r.talker_presence_pct = 99;
  r.audio_expected = 1000;
  r.audio_received = 1000;
  r.analysed_frames = 500;
  return r;
}

const SloResult* Find(const std::vector<SloResult>& v, const std::string& name) {
  for (const SloResult& r : v)
    if (r.name == name) return &r;
  return nullptr;
}

TEST(SloTest, DefaultsPassAGoodRunAndVideoObjectivesAreNotApplicable) {
  LoadReport r = GoodAudioRun();
  r.slo = EvaluateSlo(r, DefaultObjectives());
  ASSERT_EQ(r.slo.size(), DefaultObjectives().size());
  EXPECT_TRUE(r.Passed());
  EXPECT_EQ(Find(r.slo, "join_p99_ms")->outcome, SloResult::Outcome::kPass);
  EXPECT_DOUBLE_EQ(*Find(r.slo, "join_p99_ms")->measured, 60);
  const SloResult* frames = Find(r.slo, "frames_decoded_pct");
  EXPECT_EQ(frames->outcome, SloResult::Outcome::kNotApplicable);
  EXPECT_EQ(frames->note, "no cameras");
}

TEST(SloTest, ARunThatMissesAnObjectiveFails) {
  // The run the verdict was made for: a busy box, joins of 3.7 s and talkers heard 55 %.
  LoadReport r = GoodAudioRun();
  r.join_ms = Distribution::Of({3400, 3500, 3700});
  r.talker_presence_pct = 55;
  r.mouth_to_ear_ms = Distribution::Of({300, 486});
  r.slo = EvaluateSlo(r, DefaultObjectives());
  EXPECT_FALSE(r.Passed());
  EXPECT_EQ(Find(r.slo, "join_p99_ms")->outcome, SloResult::Outcome::kFail);
  EXPECT_EQ(Find(r.slo, "talkers_heard_pct")->outcome, SloResult::Outcome::kFail);
  EXPECT_EQ(Find(r.slo, "mouth_to_ear_p95_ms")->outcome, SloResult::Outcome::kFail);
  EXPECT_EQ(Find(r.slo, "audio_loss_pct")->outcome, SloResult::Outcome::kPass);
  const std::string table = ReportTable(r);
  EXPECT_NE(table.find("verdict: FAIL (3 of 6 objectives met)"), std::string::npos) << table;
  EXPECT_NE(table.find("result: FAIL"), std::string::npos);
  // The page leads with the verdict table, before any plot.
  const std::string page = ReportHtml(r);
  const size_t verdict = page.find("Verdict: FAIL");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, page.find("<svg"));
  EXPECT_LT(page.find("talkers_heard_pct"), page.find("<svg"));
  EXPECT_NE(ReportJson(r).find("\"name\":\"join_p99_ms\""), std::string::npos);
}

TEST(SloTest, AnObjectiveThatShouldHaveBeenMeasuredAndWasNotFails) {
  LoadReport r = GoodAudioRun();
  r.mouth_to_ear_ms = {};  // talkers talked, nobody heard an onset
  r.slo = EvaluateSlo(r, DefaultObjectives());
  const SloResult* m2e = Find(r.slo, "mouth_to_ear_p95_ms");
  EXPECT_EQ(m2e->outcome, SloResult::Outcome::kFail);
  EXPECT_FALSE(m2e->measured);
  EXPECT_EQ(m2e->note, "no talker onset was heard");
  EXPECT_FALSE(r.Passed());
}

TEST(SloTest, SpecSetsTargetsTurnsObjectivesOffAndRefusesNonsense) {
  std::vector<SloObjective> o = DefaultObjectives();
  std::string error;
  ASSERT_TRUE(ApplySloSpec("join_p99_ms=5000,talkers_heard_pct=off", &o, &error)) << error;
  LoadReport r = GoodAudioRun();
  r.join_ms = Distribution::Of({3700});
  r.talker_presence_pct = 10;
  r.slo = EvaluateSlo(r, o);
  EXPECT_TRUE(r.Passed());
  EXPECT_EQ(Find(r.slo, "talkers_heard_pct"), nullptr);
  EXPECT_DOUBLE_EQ(Find(r.slo, "join_p99_ms")->target, 5000);

  std::vector<SloObjective> tight = DefaultObjectives();
  ASSERT_TRUE(ApplySloSpec("join_p99_ms=10", &tight, &error));
  r = GoodAudioRun();
  r.slo = EvaluateSlo(r, tight);
  EXPECT_FALSE(r.Passed());

  EXPECT_FALSE(ApplySloSpec("join_p99=5", &o, &error));
  EXPECT_NE(error.find("unknown objective 'join_p99'"), std::string::npos) << error;
  EXPECT_NE(error.find("join_p99_ms"), std::string::npos) << error;  // lists the known ones
  EXPECT_FALSE(ApplySloSpec("join_p99_ms", &o, &error));
  EXPECT_FALSE(ApplySloSpec("join_p99_ms=fast", &o, &error));
  EXPECT_FALSE(ApplySloSpec("join_p99_ms=-1", &o, &error));
}

TEST(SloTest, VideoObjectivesJudgeFramesFreezesAndKeyFrameWaits) {
  // A 4-attendee camera run with 6 freezes and 1.8 s key-frame waits.
  LoadReport r = GoodAudioRun();
  r.video_senders_per_meeting = 4;
  r.video_frames_expected = 3000;
  r.video_frames_received = 2950;
  r.video_freezes = 6;
  r.video_stream_seconds = 12 * 25;  // 12 streams for 25 s
  r.video_keyframe_wait_ms = Distribution::Of({1800, 1700, 1750});
  r.slo = EvaluateSlo(r, DefaultObjectives());
  EXPECT_EQ(Find(r.slo, "frames_decoded_pct")->outcome, SloResult::Outcome::kPass);
  EXPECT_DOUBLE_EQ(*Find(r.slo, "freezes_per_min")->measured, 6 * 60.0 / 300);
  EXPECT_EQ(Find(r.slo, "freezes_per_min")->outcome, SloResult::Outcome::kFail);
  EXPECT_EQ(Find(r.slo, "keyframe_wait_p95_ms")->outcome, SloResult::Outcome::kFail);
  EXPECT_FALSE(r.Passed());
}

TEST(SloTest, AudioObjectivesAreNotApplicableWhenTheTargetDoesNotMix) {
  LoadReport r = GoodAudioRun();
  r.mixed_audio = false;  // janus-videoroom: audio forwarded, not analysed
  r.mouth_to_ear_ms = {};
  r.talker_presence_pct = -1;
  r.audio_expected = 0;
  r.slo = EvaluateSlo(r, DefaultObjectives());
  EXPECT_EQ(Find(r.slo, "mouth_to_ear_p95_ms")->outcome, SloResult::Outcome::kNotApplicable);
  EXPECT_EQ(Find(r.slo, "audio_loss_pct")->outcome, SloResult::Outcome::kNotApplicable);
  EXPECT_TRUE(r.Passed());
}

TEST(SloTest, LossLeavesOutWhatOurImpairmentDropped) {
  EXPECT_DOUBLE_EQ(LossPct(1000, 900), 10);
  EXPECT_DOUBLE_EQ(LossPct(1000, 900, 95), 0.5);
  EXPECT_DOUBLE_EQ(LossPct(1000, 900, 200), 0);
  EXPECT_DOUBLE_EQ(LossPct(0, 0), 0);
}

TEST(SloTest, PerMeetingRowsShowTheBadMeeting) {
  std::vector<AttendeeStats> a(4);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i].meeting = static_cast<int>(i / 2);
    a[i].joins_attempted = 1;
    a[i].joins_ok = 1;
    a[i].join_ms = {i < 2 ? 50.0 : 3000.0};
    a[i].audio_expected = 100;
    a[i].audio_received = i < 2 ? 100 : 80;
    a[i].presence_frames = 10;
    a[i].presence_heard = i < 2 ? 10 : 5;
  }
  LoadReport r = GoodAudioRun();
  r.meetings = 2;
  r.per_meeting = PerMeeting(a, 2);
  ASSERT_EQ(r.per_meeting.size(), 2u);
  EXPECT_DOUBLE_EQ(r.per_meeting[0].join_ms.p99, 50);
  EXPECT_DOUBLE_EQ(r.per_meeting[1].join_ms.p99, 3000);
  EXPECT_DOUBLE_EQ(r.per_meeting[0].audio_loss_pct, 0);
  EXPECT_DOUBLE_EQ(r.per_meeting[1].audio_loss_pct, 20);
  EXPECT_DOUBLE_EQ(r.per_meeting[1].talkers_heard_pct, 50);
  EXPECT_EQ(r.per_meeting[1].frames_decoded_pct, -1);
  EXPECT_NE(ReportTable(r).find("meeting 1   2/2  3000"), std::string::npos) << ReportTable(r);
  EXPECT_NE(ReportHtml(r).find("<h2>Per meeting</h2>"), std::string::npos);
}

TEST(SloTest, WarnsWhenTheLoadTesterOrTheMachineWasTheBottleneck) {
  LoadReport quiet = GoodAudioRun();
  quiet.threads = 2;
  quiet.ran_s = 10;
  quiet.client_cpu_s = 1;
  quiet.client_ticks = 1000;
  quiet.client_late_ticks = 10;
  quiet.machine_busy_pct = 40;
  JudgeClientHealth(&quiet, 10);
  EXPECT_FALSE(quiet.client_saturated);
  EXPECT_TRUE(quiet.warnings.empty());
  EXPECT_DOUBLE_EQ(quiet.client_cpu_pct, 10);

  LoadReport late = quiet;
  late.client_late_ticks = 120;  // 12 % of its ticks late
  late.machine_busy_pct = 97;
  late.warnings.clear();
  JudgeClientHealth(&late, 10);
  EXPECT_TRUE(late.client_saturated);
  ASSERT_EQ(late.warnings.size(), 2u);
  EXPECT_NE(late.warnings[0].find("fell behind: 12 %"), std::string::npos) << late.warnings[0];
  EXPECT_NE(late.warnings[0].find("did not give it CPU"), std::string::npos);
  EXPECT_NE(late.warnings[1].find("97 % busy"), std::string::npos);
  EXPECT_NE(ReportTable(late).find("WARNING: the load tester fell behind"), std::string::npos);

  LoadReport busy = quiet;
  busy.client_cpu_s = 17;  // 170 % of a core on 2 threads
  busy.warnings.clear();
  JudgeClientHealth(&busy, 10);
  EXPECT_TRUE(busy.client_saturated);
  EXPECT_NE(busy.warnings[0].find("its own CPU was the limit"), std::string::npos);
}

}  // namespace
}  // namespace sfu::loadtest

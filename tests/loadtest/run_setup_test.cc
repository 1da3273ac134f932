// What run_setup refuses before a run (loadtest/run_setup.h), and the cluster options.
#include "loadtest/run_setup.h"

#include <gtest/gtest.h>

namespace sfu::loadtest {
namespace {

TEST(TargetRefusalTest, ClusterEndpointsAreForSfuServerNodesCreatingTheirOwnMeetings) {
  LoadOptions o;
  EXPECT_EQ(TargetRefusal(o), "");
  o.more_endpoints = {"http://127.0.0.1:8081", "http://127.0.0.1:8082"};
  EXPECT_EQ(TargetRefusal(o), "");
  o.meeting_id = "existing";
  EXPECT_NE(TargetRefusal(o).find("--cluster-endpoint"), std::string::npos);
  o.meeting_id.clear();
  o.target = Target::kJanusAudioBridge;
  EXPECT_NE(TargetRefusal(o).find("not --target janus-audiobridge"), std::string::npos)
      << TargetRefusal(o);
}

TEST(TargetRefusalTest, JanusTargetsRefuseWhatTheyCannotDo) {
  LoadOptions o;
  o.target = Target::kJanusAudioBridge;
  EXPECT_EQ(TargetRefusal(o), "");
  o.video_senders = 1;
  EXPECT_NE(TargetRefusal(o).find("audio only"), std::string::npos);
  o.video_senders = 0;
  o.api_key = "K:S";
  EXPECT_NE(TargetRefusal(o).find("--api-key"), std::string::npos);
}

TEST(ScrapeTest, NoNodeAndNoPidGivesNoFigures) {
  EXPECT_FALSE(Scrape(std::vector<ControlClient*>{}, 0).ok);
}

}  // namespace
}  // namespace sfu::loadtest

// The per-shard registries (sfu/shard.h ShardRegistry): a meeting's mixer and video forwarder
// are found in the shard they are asked of, and nowhere else, even when two shards share a
// thread (as they do here: neither is started).
#include <gtest/gtest.h>

#include "sfu/meeting_audio.h"
#include "sfu/meeting_video.h"
#include "sfu/participant_media.h"
#include "sfu/shard.h"

namespace sfu {
namespace {

TEST(ShardRegistryTest, MeetingsAreFoundInTheirOwnShard) {
  Shard a(0, "127.0.0.1", 0, nullptr);
  Shard b(1, "127.0.0.1", 0, nullptr);
  const mixer::RoomMixerConfig config;
  MeetingAudio& audio_a = MeetingAudio::For(a, "m", config);
  EXPECT_EQ(&MeetingAudio::For(a, "m", config), &audio_a);
  MeetingAudio& audio_b = MeetingAudio::For(b, "m", config);
  EXPECT_NE(&audio_b, &audio_a);
  EXPECT_NE(&MeetingAudio::For(a, "other", config), &audio_a);

  MeetingVideo& video_a = MeetingVideo::For(a, "m");
  EXPECT_EQ(&MeetingVideo::For(a, "m"), &video_a);
  EXPECT_NE(&MeetingVideo::For(b, "m"), &video_a);

  EXPECT_EQ(a.registry().audio.size(), 2u);
  EXPECT_EQ(a.registry().video.size(), 1u);
  EXPECT_EQ(b.registry().audio.size(), 1u);
  EXPECT_EQ(a.session_count(), 3u);  // the shard owns them
  EXPECT_EQ(FindParticipantMedia(a, 1), nullptr);
}  // the shards destroy their sessions, which leave the registries they are still in

}  // namespace
}  // namespace sfu

// The audio mixer over the real network path: simulated attendees (loadtest's AudioParticipant:
// Chime signaling, ICE/DTLS/SRTP, Opus) each send a different tone to an in-process server on
// loopback and decode what they receive. Each hears every other talker and not itself; with more
// talkers than K the K loudest are heard; a muted attendee is not heard; 10% uplink loss is
// repaired; every listener's RTP stream stays continuous (one SSRC, consecutive sequence
// numbers, +960 timestamps) while it moves between the shared mix and its own.
//
// Margins: a tone sent at 0.2 of full scale decodes at about -14 dB (Goertzel, 20 ms frames, 0 dB
// = full-scale sine, Hann window). "Heard" means a median of at least -30 dB over the analysed
// frames; "absent" at most -38 dB, i.e. more than 20 dB below every talker heard. (Not lower:
// Opus at 32 kb/s coding four tones leaves its own noise at -45..-65 dB at other frequencies.)
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "loadtest/audio_participant.h"
#include "tests/signaling/signaling_fixture.h"

namespace sfu::signaling {
namespace {

constexpr double kHeardDb = -30;
constexpr double kAbsentDb = -38;

class MixerToneTest : public SignalingFrontTest {
 protected:
  void SetUp() override {
    SignalingFrontTest::SetUp();
    std::string error;
    client_dtls_ = transport::DtlsContext::Create(&error);
    ASSERT_TRUE(client_dtls_) << error;
    io_thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    for (auto& p : people_) p->Stop();
    people_.clear();
    io_work_.reset();
    io_.stop();  // whatever is still queued is abandoned: the participants are gone
    io_thread_.join();
    SignalingFrontTest::TearDown();
  }

  // audio_capability: "" for the default, else the attendee's Capabilities.Audio.
  loadtest::AudioParticipant& AddPerson(const std::string& meeting,
                                        loadtest::AudioParticipantConfig c,
                                        const std::string& audio_capability = "") {
    const std::string user = "p" + std::to_string(people_.size());
    std::string token;
    if (audio_capability.empty()) {
      token = NewAttendee(meeting, user).second;
    } else {
      auto a = Api("POST", "/meetings/" + meeting + "/attendees",
                   R"({"ExternalUserId":")" + user + R"(","Capabilities":{"Audio":")" +
                       audio_capability + R"(","Video":"SendReceive","Content":"SendReceive"}})")
                   .at("Attendee");
      token = std::string(a.at("JoinToken").as_string());
      ids_.push_back(std::string(a.at("AttendeeId").as_string()));
    }
    c.port = port_;
    c.meeting_id = meeting;
    c.join_token = token;
    people_.push_back(std::make_unique<loadtest::AudioParticipant>(io_, *client_dtls_, c));
    std::string error;
    EXPECT_TRUE(people_.back()->Start(&error)) << error;
    return *people_.back();
  }

  // Median level of watch frequency f over frames [from, end) of a result.
  static double MedianDb(const loadtest::AudioParticipantResult& r, size_t f, size_t from) {
    std::vector<float> v;
    for (size_t i = from; i < r.frame_db.size(); ++i) v.push_back(r.frame_db[i][f]);
    if (v.empty()) return -200;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  }

  static void ExpectContinuous(const loadtest::AudioParticipantResult& r, const std::string& who) {
    EXPECT_GT(r.packets_received, 50u) << who;
    EXPECT_EQ(r.seq_gaps, 0u) << who << ": downlink sequence numbers skipped";
    EXPECT_EQ(r.timestamp_jumps, 0u) << who << ": downlink timestamps not +960";
    EXPECT_EQ(r.ssrc_changes, 0u) << who;
    EXPECT_EQ(r.undecodable, 0u) << who;
  }

  std::unique_ptr<transport::DtlsContext> client_dtls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> io_work_ = asio::make_work_guard(io_);
  std::thread io_thread_;
  std::vector<std::unique_ptr<loadtest::AudioParticipant>> people_;
  std::vector<std::string> ids_;  // attendee ids of people added with a capability
};

const std::vector<double> kFreqs = {350, 520, 770, 1130, 1690, 2450};

TEST_F(MixerToneTest, FiveTalkersEachHearTheOthersAndNotThemselves) {
  media_.mixer.max_talkers = 5;
  const std::string m = NewMeeting();
  for (int i = 0; i < 5; ++i) {
    loadtest::AudioParticipantConfig c;
    c.tone_hz = kFreqs[i];
    c.voice_like = false;
    c.watch_hz = {kFreqs.begin(), kFreqs.begin() + 5};
    AddPerson(m, c);
  }
  std::this_thread::sleep_for(3s);
  for (int i = 0; i < 5; ++i) {
    const auto r = people_[i]->Snapshot();
    const size_t from = r.frame_db.size() / 2;  // the last ~1.5 s, everyone connected
    ExpectContinuous(r, "attendee " + std::to_string(i));
    for (int f = 0; f < 5; ++f) {
      const double db = MedianDb(r, f, from);
      std::printf("attendee %d (%.0f Hz) hears %.0f Hz at %.1f dB\n", i, kFreqs[i], kFreqs[f], db);
      if (f == i) {
        EXPECT_LT(db, kAbsentDb) << "attendee " << i << " hears itself";
      } else {
        EXPECT_GT(db, kHeardDb) << "attendee " << i << " misses " << kFreqs[f];
      }
    }
  }
  const auto& s = *shards_->Stats()[0];
  EXPECT_GT(s.mix_ticks.load(), 50u);
  EXPECT_GT(s.ticks.load(), 50u);
  // Metrics are published every 250 ms.
  EXPECT_GT(s.mix_encodes.load(), 0u);
  EXPECT_GT(s.mix_decodes.load(), 0u);
  uint64_t delays = 0, tick_samples = 0;
  for (const auto& c : s.jitter_delay_ms.counts) delays += c.load();
  for (const auto& c : s.mix_tick_cpu_us.counts) tick_samples += c.load();
  EXPECT_GT(delays, 0u);
  EXPECT_GT(tick_samples, 50u);
}

TEST_F(MixerToneTest, WithMoreTalkersThanKTheKLoudestAreHeard) {
  media_.mixer.max_talkers = 3;
  const std::string m = NewMeeting();
  const double amps[] = {0.25, 0.2, 0.15, 0.01, 0.006};
  for (int i = 0; i < 5; ++i) {
    loadtest::AudioParticipantConfig c;
    c.tone_hz = kFreqs[i];
    c.amplitude = amps[i];
    c.voice_like = false;
    c.watch_hz = {kFreqs.begin(), kFreqs.begin() + 5};
    AddPerson(m, c);
  }
  loadtest::AudioParticipantConfig lc;
  lc.amplitude = 0;
  lc.watch_hz = {kFreqs.begin(), kFreqs.begin() + 5};
  AddPerson(m, lc);
  std::this_thread::sleep_for(3s);
  const auto r = people_[5]->Snapshot();
  ExpectContinuous(r, "listener");
  const size_t from = r.frame_db.size() / 2;
  for (int f = 0; f < 5; ++f) {
    const double db = MedianDb(r, f, from);
    std::printf("listener hears %.0f Hz (amplitude %.3f) at %.1f dB\n", kFreqs[f], amps[f], db);
    if (f < 3) {
      EXPECT_GT(db, kHeardDb) << kFreqs[f];
    } else {
      EXPECT_LT(db, kAbsentDb) << kFreqs[f] << " is not among the 3 loudest";
    }
  }
  // The loudest talker hears the next two, not itself and not the quiet ones.
  const auto r0 = people_[0]->Snapshot();
  EXPECT_LT(MedianDb(r0, 0, r0.frame_db.size() / 2), kAbsentDb);
  EXPECT_GT(MedianDb(r0, 1, r0.frame_db.size() / 2), kHeardDb);
  EXPECT_GT(MedianDb(r0, 2, r0.frame_db.size() / 2), kHeardDb);
}

TEST_F(MixerToneTest, MutedAttendeesAreNotMixedAndStreamsStayContinuousAcrossSwitches) {
  const std::string m = NewMeeting();
  loadtest::AudioParticipantConfig c;
  c.voice_like = false;
  c.watch_hz = {kFreqs[0], kFreqs[1], kFreqs[2]};
  c.tone_hz = kFreqs[0];
  auto& a = AddPerson(m, c);
  c.tone_hz = kFreqs[1];
  auto& b = AddPerson(m, c);
  c.tone_hz = kFreqs[2];
  c.muted = true;  // SUBSCRIBE audio_muted: its tone still flows to the server
  AddPerson(m, c);
  // a and b take turns: each moves between its own mix (while talking) and the shared one.
  for (int i = 0; i < 6; ++i) {
    a.SetTalking(i % 2 == 0);
    b.SetTalking(i % 3 != 0);
    std::this_thread::sleep_for(500ms);
  }
  a.SetTalking(true);
  b.SetTalking(true);
  std::this_thread::sleep_for(1500ms);
  for (size_t i = 0; i < 3; ++i) {
    const auto r = people_[i]->Snapshot();
    ExpectContinuous(r, "attendee " + std::to_string(i));
    const size_t from = r.frame_db.size() - 40;  // the last 0.8 s: a and b both talking
    EXPECT_LT(MedianDb(r, 2, from), kAbsentDb) << "attendee " << i << " hears the muted one";
  }
  const auto rc = people_[2]->Snapshot();
  EXPECT_GT(MedianDb(rc, 0, rc.frame_db.size() - 40), kHeardDb) << "the muted attendee still hears";
  EXPECT_GT(MedianDb(rc, 1, rc.frame_db.size() - 40), kHeardDb);
}

// Attendee capabilities in the mixer (docs/PROTOCOL.md, "Attendee capabilities"): a Receive-only
// attendee is not heard but hears; a Send-only one is heard but hears nothing (silence frames keep
// its stream continuous); UpdateAttendeeCapabilities applies live, without a renegotiation.
TEST_F(MixerToneTest, AudioCapabilitiesDecideWhoIsHeardAndWhoHearsAndChangeLive) {
  const std::string m = NewMeeting();
  loadtest::AudioParticipantConfig c;
  c.voice_like = false;
  c.watch_hz = {kFreqs[0], kFreqs[1], kFreqs[2]};
  c.tone_hz = kFreqs[0];
  AddPerson(m, c);  // a: SendReceive
  c.tone_hz = kFreqs[1];
  AddPerson(m, c, "Receive");  // b: listens only
  c.tone_hz = kFreqs[2];
  AddPerson(m, c, "Send");  // c: talks only
  std::this_thread::sleep_for(2500ms);
  auto last = [](const loadtest::AudioParticipantResult& r) { return r.frame_db.size() - 40; };
  const auto a = people_[0]->Snapshot();
  const auto b = people_[1]->Snapshot();
  const auto cr = people_[2]->Snapshot();
  ExpectContinuous(a, "a");
  ExpectContinuous(b, "b");
  ExpectContinuous(cr, "c (silence frames)");
  EXPECT_LT(MedianDb(a, 1, last(a)), kAbsentDb) << "a hears the Receive-only attendee";
  EXPECT_GT(MedianDb(a, 2, last(a)), kHeardDb) << "a misses the Send-only attendee";
  EXPECT_GT(MedianDb(b, 0, last(b)), kHeardDb) << "the Receive-only attendee does not hear a";
  EXPECT_GT(MedianDb(b, 2, last(b)), kHeardDb);
  EXPECT_LT(MedianDb(cr, 0, last(cr)), kAbsentDb) << "the Send-only attendee hears a";
  // b may now talk, c may now listen: heard within a second, same streams.
  for (size_t i = 0; i < 2; ++i) {
    Api("PUT", "/meetings/" + m + "/attendees/" + ids_[i] + "/capabilities",
        R"({"Capabilities":{"Audio":"SendReceive","Video":"SendReceive","Content":"SendReceive"}})");
  }
  std::this_thread::sleep_for(1500ms);
  const auto a2 = people_[0]->Snapshot();
  const auto c2 = people_[2]->Snapshot();
  EXPECT_GT(MedianDb(a2, 1, last(a2)), kHeardDb) << "b not heard after SendReceive";
  EXPECT_GT(MedianDb(c2, 0, last(c2)), kHeardDb) << "c does not hear after SendReceive";
  ExpectContinuous(c2, "c after the change");
}

// MeetingFeatures.Audio.BitrateKbps sets the Opus bitrate of that meeting's mix.
// Replica meetings (docs/DESIGN.md, "Replica meetings"): two replica attendees (each in its own
// replica of the primary, each sending a tone) hear the primary's two talkers in the shared mix
// and are never heard, by the primary or by each other; the primary's talkers hear each other.
TEST_F(MixerToneTest, ReplicaAttendeesHearThePrimaryAndAreNeverHeard) {
  const std::string m = NewMeeting();
  auto replica = [&] {
    return std::string(Api("POST", "/meetings", R"({"PrimaryMeetingId":")" + m + R"("})")
                           .at("Meeting")
                           .at("MeetingId")
                           .as_string());
  };
  const std::string r1 = replica();
  const std::string r2 = replica();
  loadtest::AudioParticipantConfig c;
  c.voice_like = false;
  c.watch_hz = {kFreqs[0], kFreqs[1], kFreqs[2], kFreqs[3]};
  c.tone_hz = kFreqs[0];
  AddPerson(m, c);
  c.tone_hz = kFreqs[1];
  AddPerson(m, c);
  c.tone_hz = kFreqs[2];
  AddPerson(r1, c);
  c.tone_hz = kFreqs[3];
  AddPerson(r2, c);
  std::this_thread::sleep_for(2500ms);
  for (size_t i = 0; i < 4; ++i) {
    const auto r = people_[i]->Snapshot();
    const size_t from = r.frame_db.size() - 40;
    ExpectContinuous(r, "attendee " + std::to_string(i));
    for (size_t f = 0; f < 4; ++f) {
      const double db = MedianDb(r, f, from);
      std::printf("%s %zu (%.0f Hz) hears %.0f Hz at %.1f dB\n", i < 2 ? "primary" : "replica", i,
                  kFreqs[i], kFreqs[f], db);
      if (f >= 2 || f == i) {
        EXPECT_LT(db, kAbsentDb) << "attendee " << i << " hears " << kFreqs[f];
      } else {
        EXPECT_GT(db, kHeardDb) << "attendee " << i << " misses " << kFreqs[f];
      }
    }
  }
}

TEST_F(MixerToneTest, AMeetingsBitrateFeatureSetsItsMixBitrate) {
  const std::string plain = NewMeeting();
  const std::string rich =
      std::string(Api("POST", "/meetings", R"({"MeetingFeatures":{"Audio":{"BitrateKbps":64}}})")
                      .at("Meeting")
                      .at("MeetingId")
                      .as_string());
  for (const std::string& m : {plain, rich}) {
    loadtest::AudioParticipantConfig c;
    c.watch_hz = {kFreqs[0]};
    c.tone_hz = kFreqs[0];
    AddPerson(m, c);
    c.amplitude = 0;
    AddPerson(m, c);
  }
  std::this_thread::sleep_for(2s);
  const auto at32 = people_[1]->Snapshot();
  const auto at64 = people_[3]->Snapshot();
  const double b32 =
      static_cast<double>(at32.payload_bytes_received) / static_cast<double>(at32.packets_received);
  const double b64 =
      static_cast<double>(at64.payload_bytes_received) / static_cast<double>(at64.packets_received);
  std::printf("mean downlink payload: %.0f B at the default 32 kb/s, %.0f B at 64 kb/s\n", b32,
              b64);
  EXPECT_GT(b64, b32 * 1.5);
}

// The primary's MeetingFeatures set its mix, even when a replica attendee (whose own meeting
// asks for 64 kb/s) is the first participant on the shard and so creates the primary's mixer.
TEST_F(MixerToneTest, AReplicaAttendeeDoesNotSetThePrimarysMixBitrate) {
  const std::string plain = NewMeeting();
  const std::string primary = NewMeeting();
  const std::string replica =
      std::string(Api("POST", "/meetings",
                      R"({"PrimaryMeetingId":")" + primary +
                          R"(","MeetingFeatures":{"Audio":{"BitrateKbps":64}}})")
                      .at("Meeting")
                      .at("MeetingId")
                      .as_string());
  loadtest::AudioParticipantConfig c;
  c.watch_hz = {kFreqs[0]};
  c.tone_hz = kFreqs[0];
  c.amplitude = 0;
  AddPerson(replica, c);  // people_[0], the primary's mixer is made for it
  AddPerson(plain, c);    // people_[1], the yardstick at the default bitrate
  std::this_thread::sleep_for(1s);
  c.amplitude = 0.2;
  AddPerson(primary, c);
  AddPerson(plain, c);
  std::this_thread::sleep_for(2s);
  const auto in_replica = people_[0]->Snapshot();
  const auto in_plain = people_[1]->Snapshot();
  ASSERT_GT(in_replica.packets_received, 50u);
  ASSERT_GT(in_plain.packets_received, 50u);
  const double br = static_cast<double>(in_replica.payload_bytes_received) /
                    static_cast<double>(in_replica.packets_received);
  const double bp = static_cast<double>(in_plain.payload_bytes_received) /
                    static_cast<double>(in_plain.packets_received);
  std::printf("mean downlink payload: replica attendee %.0f B, plain meeting %.0f B\n", br, bp);
  EXPECT_LT(br, bp * 1.3);
}

// Longest run of frames in which frequency index f is more than 20 dB below its clean level
// (-34 dB for a 0.2 full-scale tone), over frames [from, end). A run is excused (counted apart,
// not in the longest) when it is explained by scheduling rather than loss: the sender's 20 ms
// tick ran late within 250 ms before it (the server's jitter buffer then underran), or the
// listener's frames arrived more than 35 ms apart around it (the server or the listener stalled)
// - on a loaded 2-core CI machine both happen.
struct Gaps {
  int longest = 0;
  int missing = 0;
  int excused = 0;
};
Gaps FindGaps(const loadtest::AudioParticipantResult& r, size_t f, size_t from,
              const loadtest::AudioParticipantResult& sender) {
  Gaps g;
  auto stalled = [&](size_t i) {
    const int64_t t = r.frame_arrival_us[i];
    for (int64_t s : sender.send_stalls_us)
      if (s <= t && t - s < 250'000) return true;
    for (size_t k = (i > 3 ? i - 3 : 1); k <= i && k < r.frame_arrival_us.size(); ++k)
      if (r.frame_arrival_us[k] - r.frame_arrival_us[k - 1] > 35'000) return true;
    return false;
  };
  int run = 0;
  bool excused = false;
  for (size_t i = from; i < r.frame_db.size(); ++i) {
    const bool has = r.frame_db[i][f] > -34;
    if (has) {
      run = 0;
      continue;
    }
    ++g.missing;
    if (run == 0) excused = stalled(i);
    ++run;
    if (excused) {
      ++g.excused;
    } else {
      g.longest = std::max(g.longest, run);
    }
  }
  return g;
}

TEST_F(MixerToneTest, TenPercentUplinkLossIsRepaired) {
  const std::string m = NewMeeting();
  loadtest::AudioParticipantConfig c;
  c.uplink_loss = 0.10;
  c.watch_hz = {kFreqs[0], kFreqs[1]};
  c.tone_hz = kFreqs[0];
  c.seed = 11;
  AddPerson(m, c);  // plain Opus with in-band FEC
  c.tone_hz = kFreqs[1];
  c.red = true;  // RED, distance 2, on top of FEC
  c.seed = 12;
  AddPerson(m, c);
  loadtest::AudioParticipantConfig lc;
  lc.amplitude = 0;
  lc.watch_hz = {kFreqs[0], kFreqs[1]};
  AddPerson(m, lc);
  std::this_thread::sleep_for(6s);
  const auto fec_sender = people_[0]->Snapshot();
  const auto red_sender = people_[1]->Snapshot();
  const auto r = people_[2]->Snapshot();
  ExpectContinuous(r, "listener");
  const size_t from = 50;  // after the first second
  const Gaps fec = FindGaps(r, 0, from, fec_sender);
  const Gaps red = FindGaps(r, 1, from, red_sender);
  const int missing_fec = fec.missing, gap_fec = fec.longest, gap_red = red.longest;
  std::printf(
      "FEC sender: %lu dropped of %lu (at most %d in a row); listener missed %d frames (%d excused "
      "by stalls), longest gap %d\n",
      (unsigned long)fec_sender.packets_dropped,
      (unsigned long)(fec_sender.packets_sent + fec_sender.packets_dropped),
      fec_sender.longest_drop_run, fec.missing, fec.excused, gap_fec);
  std::printf(
      "RED sender: %lu dropped of %lu; listener missed %d frames (%d excused by stalls), longest "
      "gap %d\n",
      (unsigned long)red_sender.packets_dropped,
      (unsigned long)(red_sender.packets_sent + red_sender.packets_dropped), red.missing,
      red.excused, gap_red);
  EXPECT_LT(fec.excused + red.excused, 25) << "so many stalls that the test measured nothing";
  const auto& s = *shards_->Stats()[0];
  std::printf("server: fec %lu red %lu concealed %lu\n", (unsigned long)s.mix_fec_recovered.load(),
              (unsigned long)s.mix_red_recovered.load(), (unsigned long)s.mix_concealed.load());
  EXPECT_GT(fec_sender.packets_dropped, 15u);
  EXPECT_GT(red_sender.packets_dropped, 15u);
  // Plain FEC: a lost packet comes back from the next one's FEC or is concealed, and the jitter
  // buffer, seeing loss, holds 3 frames so that of two lost in a row the second still gets FEC:
  // no gap longer than one frame. (Three in a row would leave two weak frames - Opus concealment
  // fades within two frames - which this seeded loss pattern does not contain: checked.)
  EXPECT_LE(fec_sender.longest_drop_run, 2);
  EXPECT_LE(gap_fec, 1);
  EXPECT_LT(missing_fec, static_cast<int>(fec_sender.packets_dropped) / 2);
  // RED on top: at most a 2-frame gap (distance-2 redundancy brings a packet back only if one
  // of the next two arrives before the lost one's playout; on a loaded machine the first loss,
  // before the jitter buffer has grown, can miss it), and far fewer frames missing than lost.
  EXPECT_LE(gap_red, 2);
  EXPECT_LT(red.missing, static_cast<int>(red_sender.packets_dropped) / 4);
  EXPECT_GT(s.mix_fec_recovered.load() + s.mix_red_recovered.load(), 10u);
}

}  // namespace
}  // namespace sfu::signaling

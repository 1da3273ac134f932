// The signaling front over real loopback sockets: the Beast listener, token checks, close codes,
// JOIN/INDEX/PING/LEAVE, bad frames and floods, and server-initiated ends (410/411), driven by
// loadtest's SignalingClient.
#include "signaling/signaling_front.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "loadtest/client_transport.h"
#include "loadtest/signaling_client.h"
#include "metrics/server_metrics.h"
#include "sfu/shard_set.h"
#include "signaling/control/control_api.h"
#include "signaling/http/http_server.h"
#include "signaling/sdp/session_description.h"
#include "signaling/signaling_hub.h"
#include "tests/signaling/signaling_fixture.h"
#include "tests/test_util.h"
#include "transport/dtls/dtls_context.h"

namespace sfu::signaling {
namespace {
namespace asio = boost::asio;
using loadtest::SignalingClient;
using proto::SdkSignalFrame;
using namespace std::chrono_literals;

TEST_F(SignalingFrontTest, JoinWithSubprotocolGetsJoinAckIndexAndPong) {
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "alice");
  SignalingClient c;
  std::string error;
  ASSERT_TRUE(
      c.Connect("127.0.0.1", port_, m, token, SignalingClient::TokenVia::kSubprotocol, &error))
      << error;
  EXPECT_EQ(c.accepted_subprotocol(), "_aws_wt_session");
  c.Send(proto::MakeFrame(SdkSignalFrame::JOIN));
  auto ack = c.ReceiveType(SdkSignalFrame::JOIN_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_TRUE(ack->has_joinack());
  EXPECT_FALSE(ack->joinack().has_turn_credentials())
      << "no TURN: host candidates against ICE-lite";
  auto index = c.ReceiveType(SdkSignalFrame::INDEX, 3000ms);
  ASSERT_TRUE(index);
  EXPECT_EQ(index->index().num_participants(), 1u);
  EXPECT_TRUE(PingPong(c, 7));
  EXPECT_TRUE(PingPong(c, 8));
  c.Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
  EXPECT_TRUE(c.ReceiveType(SdkSignalFrame::LEAVE_ACK, 3000ms));
}

TEST_F(SignalingFrontTest, CookieTokenWorksToo) {
  const std::string m = NewMeeting();
  auto [aid, token] = NewAttendee(m, "cpp-client");
  auto c = Join(m, token, SignalingClient::TokenVia::kCookie);
  EXPECT_EQ(c->accepted_subprotocol(), "");
  EXPECT_TRUE(PingPong(*c, 1));
  EXPECT_EQ(OnControl([&] { return hub_.JoinedCount(m); }), 1u);
}

TEST_F(SignalingFrontTest, RefusalsUseTheCloseCodesTheClientUnderstands) {
  const std::string m1 = NewMeeting();
  const std::string m2 = NewMeeting();
  auto [a1, t1] = NewAttendee(m1, "alice");
  auto [a2, t2] = NewAttendee(m1, "bob");
  EXPECT_EQ(RefusalCode(m1, "garbage-token"), 4403);
  EXPECT_EQ(RefusalCode(m1, t1.substr(0, 65) + (t1.back() == 'A' ? "B" : "A")), 4403);  // forged
  EXPECT_EQ(RefusalCode(m2, t1), 4403);  // token for another meeting: nothing learned about m2
  Api("DELETE", "/meetings/" + m1 + "/attendees/" + a2);
  EXPECT_EQ(RefusalCode(m1, t2), 4403);  // revoked with its attendee
  Api("DELETE", "/meetings/" + m1);
  EXPECT_EQ(RefusalCode(m1, t1), 4410);  // meeting ended
  // A path that is not /control/<id> is not a WebSocket endpoint at all.
  SignalingClient c;
  std::string error;
  EXPECT_FALSE(
      c.Connect("127.0.0.1", port_, "x/y", t1, SignalingClient::TokenVia::kSubprotocol, &error));
  // Each reason counted is one of kRefusalReasons (exposed at zero from the start): no new series.
  const std::string text = OnControl([&] { return metrics_.RenderText(); });
  size_t series = 0;
  for (size_t at = text.find("\nsfu_signaling_refusals_total{"); at != std::string::npos;
       at = text.find("\nsfu_signaling_refusals_total{", at + 1))
    ++series;
  EXPECT_EQ(series, std::size(kRefusalReasons)) << text;
  EXPECT_NE(text.find("sfu_signaling_refusals_total{reason=\"meeting_ended\"} 1"),
            std::string::npos);
}

TEST_F(SignalingFrontTest, BadFramesAreDroppedAndAFloodIsClosedWhileOthersContinue) {
  const std::string m = NewMeeting();
  auto [a1, t1] = NewAttendee(m, "victim");
  auto [a2, t2] = NewAttendee(m, "abuser");
  auto good = Join(m, t1);
  auto bad = Join(m, t2);
  // Garbage, truncated, wrong prefix, a frame without its sub-message, a text frame's worth of
  // bytes: all dropped; the session still answers.
  const std::vector<std::vector<uint8_t>> junk = {
      {}, {0x05}, {0x07, 0x08, 0x01}, {0x05, 0xff, 0xff, 0xff}, {0x05, 0x08, 0x01, 0x10, 0x01}};
  for (const auto& j : junk) bad->SendRaw(j);
  EXPECT_TRUE(PingPong(*bad, 99));
  // 1,000 frames as fast as possible: closed with 1008.
  for (int i = 0; i < 1000 && !bad->closed(); ++i)
    bad->Send(proto::MakePingPong(proto::PING, static_cast<uint32_t>(i)));
  EXPECT_EQ(bad->WaitForClose(5000ms), 1008);
  // The other attendee is unharmed.
  EXPECT_TRUE(PingPong(*good, 5));
}

TEST_F(SignalingFrontTest, DeletingAttendeeAndMeetingSendStatusBeforeClosing) {
  const std::string m = NewMeeting();
  auto [a1, t1] = NewAttendee(m, "one");
  auto [a2, t2] = NewAttendee(m, "two");
  auto c1 = Join(m, t1);
  auto c2 = Join(m, t2);
  Api("DELETE", "/meetings/" + m + "/attendees/" + a1);
  auto status = c1->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->audio_status().audio_status(), 411u);
  EXPECT_NE(c1->WaitForClose(3000ms), 0);
  Api("DELETE", "/meetings/" + m);
  status = c2->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->audio_status().audio_status(), 410u);
  EXPECT_NE(c2->WaitForClose(3000ms), 0);
}

SdkSignalFrame DataMessage(const std::string& topic, const std::string& data,
                           uint32_t lifetime_ms = 0, int count = 1) {
  SdkSignalFrame f = proto::MakeFrame(SdkSignalFrame::DATA_MESSAGE);
  for (int i = 0; i < count; ++i) {
    auto* m = f.mutable_data_message()->add_messages();
    m->set_topic(topic);
    m->set_data(data);
    if (lifetime_ms) m->set_lifetime_ms(lifetime_ms);
  }
  return f;
}

TEST_F(SignalingMeetingTest, SubscribeAnswersIceLiteOnTheMeetingsShardThenPresence) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto c = Join(m, ta);
  c->Send(Subscribe(ChromeOffer()));
  auto ack = c->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_error()) << ack->error().description();
  const std::string& answer = ack->suback().sdp_answer();
  const std::string port = std::to_string(shards_->shard(0).media_port());
  for (const std::string& line : std::vector<std::string>{
           "a=ice-lite", "a=setup:passive", "a=group:BUNDLE 0 1 2",
           "a=candidate:1 1 udp 2130706431 127.0.0.1 " + port + " typ host",
           // RED offered on Opus: accepted uplink, answered first.
           "m=audio " + port + " UDP/TLS/RTP/SAVPF 63 111", "a=rtpmap:63 red/48000/2",
           "a=fmtp:63 111/111", "a=msid:mix0 mix0-track",
           "a=fingerprint:sha-256 " + dtls_->fingerprint()}) {
    EXPECT_NE(answer.find(line + "\r\n"), std::string::npos) << line << "\n" << answer;
  }
  // Presence comes after SUBSCRIBE_ACK and lists the attendee itself.
  auto info = c->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(info);
  ASSERT_EQ(info->audio_stream_id_info().streams_size(), 1);
  const auto& self = info->audio_stream_id_info().streams(0);
  EXPECT_EQ(self.attendee_id(), a);
  EXPECT_EQ(self.external_user_id(), "alice");
  EXPECT_TRUE(self.has_muted());
  EXPECT_GT(self.audio_stream_id(), 0u);
  // The transport exists on the shard.
  EXPECT_TRUE(WaitForShard([&] { return shards_->Stats()[0]->transports.load() == 1; }));
  // Renegotiation keeps the same ICE credentials.
  c->Send(Subscribe(ChromeOffer()));
  auto again = c->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(again);
  const auto ufrag = [](const std::string& sdp) {
    auto p = sdp.find("a=ice-ufrag:");
    return sdp.substr(p, sdp.find("\r\n", p) - p);
  };
  EXPECT_EQ(ufrag(again->suback().sdp_answer()), ufrag(answer));
  EXPECT_EQ(shards_->Stats()[0]->transports.load(), 1);
}

TEST_F(SignalingMeetingTest, PresenceSnapshotDeltasMuteLeaveAndDrop) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  auto [c, tc] = NewAttendee(m, "carol");
  proto::SdkAudioStreamIdInfoFrame snap;
  auto ca = JoinAndSubscribe(m, ta, &snap);
  auto cb = JoinAndSubscribe(m, tb, &snap);
  EXPECT_EQ(snap.streams_size(), 2);  // bob's snapshot has alice and bob
  auto delta = ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(delta);
  ASSERT_EQ(delta->audio_stream_id_info().streams_size(), 1);
  EXPECT_EQ(delta->audio_stream_id_info().streams(0).attendee_id(), b);
  const uint32_t bob_stream = delta->audio_stream_id_info().streams(0).audio_stream_id();
  // Mute: everyone (bob too) gets {stream id, muted}.
  SdkSignalFrame mute = proto::MakeFrame(SdkSignalFrame::AUDIO_CONTROL);
  mute.mutable_audio_control()->set_muted(true);
  cb->Send(mute);
  for (auto* cl : {ca.get(), cb.get()}) {
    auto f = cl->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->audio_stream_id_info().streams(0).audio_stream_id(), bob_stream);
    EXPECT_TRUE(f->audio_stream_id_info().streams(0).muted());
    EXPECT_FALSE(f->audio_stream_id_info().streams(0).has_attendee_id());
  }
  // Leave: a delta without attendee id or mute, not marked dropped.
  cb->Send(proto::MakeFrame(SdkSignalFrame::LEAVE));
  auto left = ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->audio_stream_id_info().streams(0).audio_stream_id(), bob_stream);
  EXPECT_FALSE(left->audio_stream_id_info().streams(0).has_attendee_id());
  EXPECT_FALSE(left->audio_stream_id_info().streams(0).dropped());
  // A dropped connection is marked dropped; a rejoin gets a larger stream id.
  auto cc = JoinAndSubscribe(m, tc, &snap);
  ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  cc.reset();  // closes the socket
  auto dropped = ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 3000ms);
  ASSERT_TRUE(dropped);
  auto cb2 = JoinAndSubscribe(m, tb, &snap);
  uint32_t max_id = 0;
  for (const auto& e : snap.streams()) {
    if (e.attendee_id() == b) max_id = e.audio_stream_id();
  }
  EXPECT_GT(max_id, bob_stream);
}

TEST_F(SignalingMeetingTest, DataMessagesStampedDeliveredToOthersThrottledAndKept) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  auto [c, tc] = NewAttendee(m, "carol");
  auto ca = JoinAndSubscribe(m, ta, nullptr);
  auto cb = JoinAndSubscribe(m, tb, nullptr);
  ca->ReceiveType(SdkSignalFrame::AUDIO_STREAM_ID_INFO, 1000ms);  // bob's arrival
  ca->Send(DataMessage("chat", "hello", /*lifetime_ms=*/60000));
  ca->Send(DataMessage("bad:topic", "nope"));
  ca->Send(DataMessage("chat", std::string(2049, 'x')));
  auto got = cb->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(got);
  ASSERT_EQ(got->data_message().messages_size(), 1);
  const auto& msg = got->data_message().messages(0);
  EXPECT_EQ(msg.data(), "hello");
  EXPECT_EQ(msg.sender_attendee_id(), a);
  EXPECT_EQ(msg.sender_external_user_id(), "alice");
  EXPECT_GT(msg.ingest_time_ns(), 0);
  EXPECT_FALSE(cb->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 300ms))
      << "invalid ones are not delivered";
  EXPECT_FALSE(ca->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 300ms)) << "the sender is not echoed";
  // 250 in one frame against the meeting's burst of 200 (minus the one sent): the rest bounce.
  ca->Send(DataMessage("chat", "burst", 0, 250));
  auto bounced = ca->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(bounced);
  EXPECT_GE(bounced->data_message().messages_size(), 40);
  for (const auto& p : bounced->data_message().messages()) EXPECT_EQ(p.ingest_time_ns(), 0);
  auto delivered = cb->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->data_message().messages_size() + bounced->data_message().messages_size(),
            250);
  // A late joiner gets the kept message (lifetime_ms) after subscribing.
  auto cc = JoinAndSubscribe(m, tc, nullptr);
  auto replay = cc->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->data_message().messages(0).data(), "hello");
}

TEST_F(SignalingMeetingTest, AudioMetadataWhileSomeoneIsAudible) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  proto::SdkAudioStreamIdInfoFrame snap;
  auto ca = JoinAndSubscribe(m, ta, &snap);
  auto cb = JoinAndSubscribe(m, tb, &snap);
  uint32_t alice_stream = 0;
  for (const auto& e : snap.streams()) {
    if (e.attendee_id() == a) alice_stream = e.audio_stream_id();
  }
  // Silence (level >= 42 dBov down) sends nothing; a loud level goes to everyone.
  OnControl([&] {
    const int64_t now = clock_.NowSteadyMs();
    hub_.State(m).ReportLevel(a, 100, 2, now);
    hub_.PublishAudioMetadata(now);
    return 0;
  });
  EXPECT_FALSE(cb->ReceiveType(SdkSignalFrame::AUDIO_METADATA, 300ms));
  OnControl([&] {
    const int64_t now = clock_.NowSteadyMs();
    hub_.State(m).ReportLevel(a, 20, 2, now);
    hub_.PublishAudioMetadata(now);
    return 0;
  });
  for (auto* c : {ca.get(), cb.get()}) {
    auto f = c->ReceiveType(SdkSignalFrame::AUDIO_METADATA, 3000ms);
    ASSERT_TRUE(f);
    ASSERT_EQ(f->audio_metadata().attendee_states_size(), 1);
    EXPECT_EQ(f->audio_metadata().attendee_states(0).audio_stream_id(), alice_stream);
    EXPECT_EQ(f->audio_metadata().attendee_states(0).volume(), 20u);
    EXPECT_EQ(f->audio_metadata().attendee_states(0).signal_strength(), 2u);
  }
}

TEST_F(SignalingMeetingTest, DataMessagesAlsoFlowOverAnSctpDataChannel) {
  std::string error;
  auto client_dtls = transport::DtlsContext::Create(&error);
  ASSERT_TRUE(client_dtls) << error;
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  auto cb = JoinAndSubscribe(m, tb, nullptr);
  auto ca = Join(m, ta);
  const std::string offer =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:dcau\r\n"
      "a=ice-pwd:datachannelpassword012345\r\na=fingerprint:sha-256 " +
      client_dtls->fingerprint() +
      "\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n"
      "a=sctp-port:5000\r\na=max-message-size:262144\r\n";
  ca->Send(Subscribe(offer));
  auto ack = ca->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack);
  const std::string& answer = ack->suback().sdp_answer();
  ASSERT_NE(answer.find("m=application " + std::to_string(shards_->shard(0).media_port())),
            std::string::npos)
      << answer;
  auto parsed = sdp::Parse(answer);
  ASSERT_TRUE(parsed.description) << parsed.error;

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  std::atomic<bool> open{false};
  std::mutex mu;
  std::vector<std::vector<uint8_t>> received;
  loadtest::ClientTransportParams p;
  p.server_port = shards_->shard(0).media_port();
  p.server_ufrag = parsed.description->media[0].ice_ufrag;
  p.server_pwd = parsed.description->media[0].ice_pwd;
  p.server_fingerprint = parsed.description->media[0].fingerprint;
  p.local_ufrag = "dcau";
  p.local_pwd = "datachannelpassword012345";
  loadtest::ClientTransport::Callbacks callbacks;
  callbacks.on_data_channel_open = [&] { open = true; };
  callbacks.on_data_channel_message = [&](std::span<const uint8_t> d) {
    std::lock_guard<std::mutex> lock(mu);
    received.emplace_back(d.begin(), d.end());
  };
  std::unique_ptr<loadtest::ClientTransport> media;
  asio::post(io, [&] {
    media = std::make_unique<loadtest::ClientTransport>(io, *client_dtls, p, callbacks);
    media->EnableDataChannel("chime");
    media->Start();
  });
  ASSERT_TRUE(WaitForShard([&] { return open.load(); })) << "data channel did not open";

  // Alice -> Bob over the data channel.
  std::promise<bool> sent;
  const auto frame = proto::EncodeFrame(DataMessage("chat", "via sctp"));
  asio::post(io, [&] { sent.set_value(media->SendDataChannel(frame)); });
  ASSERT_TRUE(sent.get_future().get());
  auto got = cb->ReceiveType(SdkSignalFrame::DATA_MESSAGE, 3000ms);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data_message().messages(0).data(), "via sctp");
  EXPECT_EQ(got->data_message().messages(0).sender_attendee_id(), a);

  // Bob -> Alice arrives on her data channel too (as well as on her WebSocket).
  bool arrived = false;
  for (int i = 0; i < 30 && !arrived; ++i) {
    cb->Send(DataMessage("chat", "via ws"));
    std::this_thread::sleep_for(100ms);
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& bytes : received) {
      std::string err;
      auto f = proto::DecodeFrame(bytes, &err);
      arrived = arrived || (f && f->data_message().messages_size() > 0 &&
                            f->data_message().messages(0).data() == "via ws" &&
                            f->data_message().messages(0).sender_attendee_id() == b);
    }
  }
  EXPECT_TRUE(arrived) << "bob's message on alice's data channel";
  EXPECT_GE(shards_->Stats()[0]->sctp_messages_in.load(), 1u);

  asio::post(io, [&] { media.reset(); });
  work.reset();
  io_thread.join();
}

TEST_F(SignalingMeetingTest, AReconnectOfTheSameClientReplacesTheOldSessionQuietly) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto join_with = [&](uint64_t audio_session_id) {
    auto c = std::make_unique<SignalingClient>();
    std::string error;
    EXPECT_TRUE(
        c->Connect("127.0.0.1", port_, m, ta, SignalingClient::TokenVia::kSubprotocol, &error))
        << error;
    SdkSignalFrame join = proto::MakeFrame(SdkSignalFrame::JOIN);
    join.mutable_join()->set_audio_session_id(audio_session_id);
    c->Send(join);
    EXPECT_TRUE(c->ReceiveType(SdkSignalFrame::INDEX, 3000ms));
    return c;
  };
  auto old_session = join_with(777);
  auto fresh = join_with(777);
  // The old socket is closed without an AUDIO_STATUS (which would be terminal for the client).
  bool saw_status = false;
  for (int i = 0; i < 20 && !old_session->closed(); ++i) {
    auto f = old_session->Receive(200ms);
    saw_status = saw_status || (f && f->type() == SdkSignalFrame::AUDIO_STATUS);
  }
  EXPECT_TRUE(old_session->closed());
  EXPECT_FALSE(saw_status);
  EXPECT_TRUE(PingPong(*fresh, 4));
  EXPECT_EQ(OnControl([&] { return hub_.JoinedCount(m); }), 1u);
}

TEST_F(SignalingMeetingTest, SecondDeviceGets301AndBadOffersGet400) {
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto first = Join(m, ta);
  SignalingClient second;
  std::string error;
  ASSERT_TRUE(
      second.Connect("127.0.0.1", port_, m, ta, SignalingClient::TokenVia::kSubprotocol, &error));
  SdkSignalFrame join = proto::MakeFrame(SdkSignalFrame::JOIN);
  join.mutable_join()->set_audio_session_id(12345);
  second.Send(join);
  auto status = first->ReceiveType(SdkSignalFrame::AUDIO_STATUS, 3000ms);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->audio_status().audio_status(), 301u);
  EXPECT_NE(first->WaitForClose(3000ms), 0);
  ASSERT_TRUE(second.ReceiveType(SdkSignalFrame::INDEX, 3000ms));
  // Bad offers: garbage, no ICE credentials, oversize.
  for (const std::string& sdp :
       {std::string("garbage"), std::string("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"),
        "v=0\r\n" + std::string(70000, 'a')}) {
    second.Send(Subscribe(sdp));
    auto ack = second.ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->error().status(), 400u);
  }
  EXPECT_TRUE(PingPong(second, 3)) << "the session survives bad offers";
}

}  // namespace
}  // namespace sfu::signaling

namespace sfu::signaling {
namespace {

SdkSignalFrame SubscribeWithCamera(const std::string& sdp) {
  SdkSignalFrame f = Subscribe(sdp);
  f.mutable_sub()->set_duplex(proto::DUPLEX);
  auto* audio = f.mutable_sub()->add_send_streams();
  audio->set_media_type(proto::AUDIO);
  auto* video = f.mutable_sub()->add_send_streams();
  video->set_media_type(proto::VIDEO);
  video->set_track_label("AmazonChimeExpressVideo");
  video->set_max_bitrate_kbps(1500);
  return f;
}

TEST_F(SignalingMeetingTest, CamerasAreIndexedAndASenderOverTheCapGets206) {
  media_.max_video_senders = 1;
  const std::string m = NewMeeting();
  auto [a, ta] = NewAttendee(m, "alice");
  auto [b, tb] = NewAttendee(m, "bob");
  auto ca = Join(m, ta);
  auto cb = Join(m, tb);
  ca->Send(SubscribeWithCamera(ChromeOffer()));
  auto ack = ca->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack);
  EXPECT_FALSE(ack->has_error() && ack->error().status() != 0);
  ASSERT_EQ(ack->suback().allocations_size(), 1);
  const uint32_t stream = ack->suback().allocations(0).stream_id();
  EXPECT_NE(stream, 0u);
  // Bob is told: an INDEX with alice's camera as a VIDEO source.
  bool seen = false;
  for (int i = 0; i < 5 && !seen; ++i) {
    auto index = cb->ReceiveType(SdkSignalFrame::INDEX, 3000ms);
    ASSERT_TRUE(index);
    for (const auto& s : index->index().sources()) {
      seen = seen ||
             (s.stream_id() == stream && s.attendee_id() == a && s.media_type() == proto::VIDEO &&
              s.max_bitrate_kbps() == 1500 && s.group_id() != 0);
    }
  }
  EXPECT_TRUE(seen);
  // Bob's camera would be the second sender: refused with 206, camera answered inactive.
  cb->Send(SubscribeWithCamera(ChromeOffer()));
  auto ack_b = cb->ReceiveType(SdkSignalFrame::SUBSCRIBE_ACK, 3000ms);
  ASSERT_TRUE(ack_b);
  EXPECT_EQ(ack_b->error().status(), 206u);
  EXPECT_EQ(ack_b->suback().allocations_size(), 0);
  EXPECT_NE(ack_b->suback().sdp_answer().find("a=inactive"), std::string::npos);
}

TEST_F(SignalingMeetingTest, AtMostTwoContentSharesPerMeeting) {
  const std::string m = NewMeeting();
  std::vector<std::unique_ptr<SignalingClient>> shares;
  for (int i = 0; i < 2; ++i) {
    auto [id, token] = NewAttendee(m, "sharer" + std::to_string(i));
    shares.push_back(Join(m, token + "#content"));
  }
  auto [c, tc] = NewAttendee(m, "third");
  EXPECT_EQ(RefusalCode(m, tc + "#content"), 4409);
  // The attendee's own session is unaffected by the content limit.
  auto main = Join(m, tc);
  EXPECT_TRUE(PingPong(*main, 7));
}

}  // namespace
}  // namespace sfu::signaling

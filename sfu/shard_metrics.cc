#include "sfu/shard_metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <limits>
#include <string>

namespace sfu {
namespace {

using base::Read;

// Per-shard counters, summed nowhere: one series per shard, labelled shard="N".
class ShardCollector final : public prometheus::Collectable {
 public:
  std::vector<const ShardStats*> shards;

  std::vector<prometheus::MetricFamily> Collect() const override {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;
    out.reserve(96);  // families are filled through references: no reallocation allowed
    auto family = [&](const char* name, const char* help,
                      MetricType type) -> prometheus::MetricFamily& {
      out.push_back(prometheus::MetricFamily{name, help, type, {}});
      return out.back();
    };
    auto add = [](prometheus::MetricFamily& f, size_t shard, double v,
                  std::vector<prometheus::ClientMetric::Label> extra = {}) {
      prometheus::ClientMetric m;
      m.label.push_back({"shard", std::to_string(shard)});
      for (auto& l : extra) m.label.push_back(l);
      if (f.type == prometheus::MetricType::Counter)
        m.counter.value = v;
      else
        m.gauge.value = v;
      f.metric.push_back(std::move(m));
    };
    auto add_histogram = [](prometheus::MetricFamily& f, size_t shard, const auto& h) {
      prometheus::ClientMetric m;
      m.label.push_back({"shard", std::to_string(shard)});
      uint64_t cumulative = 0;
      for (size_t b = 0; b < h.counts.size(); ++b) {
        cumulative += h.counts[b].load(std::memory_order_relaxed);
        prometheus::ClientMetric::Bucket bucket;
        bucket.cumulative_count = cumulative;
        bucket.upper_bound =
            b < h.bounds.size() ? h.bounds[b] : std::numeric_limits<double>::infinity();
        m.histogram.bucket.push_back(bucket);
      }
      m.histogram.sample_count = cumulative;
      m.histogram.sample_sum = h.sum.load(std::memory_order_relaxed);
      f.metric.push_back(std::move(m));
    };
    auto& packets = family("sfu_shard_packets_total", "UDP datagrams per shard and direction.",
                           MetricType::Counter);
    auto& bytes = family("sfu_shard_bytes_total", "UDP payload bytes per shard and direction.",
                         MetricType::Counter);
    auto& drops = family("sfu_shard_drops_total", "Datagrams dropped per shard, by reason.",
                         MetricType::Counter);
    auto& tasks = family("sfu_shard_tasks_total", "Tasks posted to and run on each shard.",
                         MetricType::Counter);
    auto& ice = family("sfu_shard_ice_checks_total", "ICE connectivity checks received.",
                       MetricType::Counter);
    auto& consent = family("sfu_shard_ice_consent_expiries_total",
                           "Transports ended because consent lapsed (30 s without checks).",
                           MetricType::Counter);
    auto& dtls_deferred = family(
        "sfu_shard_dtls_datagrams_deferred_total",
        "DTLS handshake datagrams held for a later tick because the tick's handshake CPU budget "
        "was spent (a join storm spread over ticks).",
        MetricType::Counter);
    auto& dtls = family("sfu_shard_dtls_handshakes_total", "DTLS handshakes by result.",
                        MetricType::Counter);
    auto& srtp = family("sfu_shard_srtp_errors_total", "SRTP/SRTCP unprotect failures by reason.",
                        MetricType::Counter);
    auto& media = family("sfu_shard_media_packets_in_total",
                         "Decrypted RTP and RTCP packets received.", MetricType::Counter);
    auto& sctp = family("sfu_shard_sctp_messages_total", "Data-channel messages by direction.",
                        MetricType::Counter);
    auto& batches =
        family("sfu_shard_syscall_batches_total", "recvmmsg/sendmmsg calls.", MetricType::Counter);
    auto& streams = family("sfu_shard_stream_connections_total",
                           "Media stream connections (ICE-TCP; TURN over TCP/TLS) by outcome: "
                           "accepted, refused over a connection cap, closed for a framing lie, "
                           "closed for sending no valid check in time.",
                           MetricType::Counter);
    auto& streams_open = family("sfu_shard_stream_connections",
                                "Media stream connections open now.", MetricType::Gauge);
    auto& stream_datagrams =
        family("sfu_shard_stream_datagrams_total",
               "Datagrams carried on media stream connections, by direction; dropped: not sent "
               "because the peer read too slowly (the send buffer was full).",
               MetricType::Counter);
    auto& turn = family(
        "sfu_shard_turn_events_total",
        "Embedded TURN server: allocations made; requests refused for credentials, for a peer "
        "that is not this server's media address (an open relay is refused), or as malformed; "
        "datagrams relayed each way; datagrams dropped without a permission or channel.",
        MetricType::Counter);
    auto& rooms = family("sfu_shard_rooms", "Meetings placed on each shard.", MetricType::Gauge);
    auto& transports =
        family("sfu_shard_transports", "Active media transports per shard.", MetricType::Gauge);
    auto& running =
        family("sfu_shard_running", "1 while the shard's thread is running.", MetricType::Gauge);
    auto& overloaded =
        family("sfu_shard_overloaded",
               "1 while the shard's ticks run late persistently (--overload-late-ticks of the last "
               "100): it takes no new meetings or joins.",
               MetricType::Gauge);
    auto& ticks = family("sfu_shard_ticks_total", "20 ms shard ticks run.", MetricType::Counter);
    auto& late = family("sfu_shard_late_ticks_total",
                        "Shard ticks that started more than 5 ms after their deadline.",
                        MetricType::Counter);
    auto& starved = family(
        "sfu_shard_late_ticks_starved_total",
        "Late shard ticks whose thread ran less than half the wall time since the previous tick: "
        "it waited for a CPU held by other processes, not for its own work.",
        MetricType::Counter);
    auto& thread_cpu = family("sfu_shard_cpu_seconds_total", "CPU time of the shard's thread.",
                              MetricType::Counter);
    auto& mix = family("sfu_mixer_ticks_total",
                       "Meeting audio mixes run (one per meeting per tick).", MetricType::Counter);
    auto& codec = family("sfu_mixer_codec_operations_total",
                         "Opus decodes and encodes by the mixer.", MetricType::Counter);
    auto& repair = family("sfu_mixer_repaired_frames_total",
                          "Lost uplink audio frames rebuilt, by method (fec, red, concealment).",
                          MetricType::Counter);
    auto& bad_audio =
        family("sfu_mixer_bad_packets_total",
               "Uplink audio packets the mixer could not use (not 20 ms Opus, bad RED).",
               MetricType::Counter);
    auto& mixing =
        family("sfu_mixer_participants", "Attendees in the mixer per shard.", MetricType::Gauge);
    auto& video = family("sfu_video_packets_total",
                         "Video packets by outcome: forwarded to a subscriber section, "
                         "retransmitted for a NACK, held back waiting for a key frame, unknown "
                         "(SSRC or codec), over the meeting's MaxResolution (not forwarded), "
                         "publishers' RTX retransmissions unwrapped.",
                         MetricType::Counter);
    auto& video_rtcp = family("sfu_video_feedback_total",
                              "Video feedback the server sent to publishers: key-frame requests "
                              "(PLI) and NACKed packets.",
                              MetricType::Counter);
    auto& switches = family("sfu_video_layer_switches_total",
                            "Simulcast layer switches of subscriber sections (bandwidth estimate "
                            "or the client's choice), by direction.",
                            MetricType::Counter);
    auto& probes =
        family("sfu_video_probes_total",
               "Bandwidth probes toward subscribers held below the layers they asked for.",
               MetricType::Counter);
    auto& pause_ignored =
        family("sfu_video_pause_ignored_total",
               "PAUSE/RESUME stream ids ignored: not a stream the subscriber receives.",
               MetricType::Counter);
    auto& padding =
        family("sfu_video_padding_bytes_total",
               "RTX padding bytes sent to probe subscribers' bandwidth.", MetricType::Counter);
    auto& tick_cpu = family("sfu_mixer_tick_cpu_microseconds",
                            "CPU time of one meeting's mix tick (jitter buffers, decode, mix, "
                            "encode, SRTP and queueing for every listener).",
                            MetricType::Histogram);
    auto& jb_delay =
        family("sfu_mixer_jitter_buffer_delay_milliseconds",
               "Time uplink audio frames spent in the jitter buffer.", MetricType::Histogram);
    auto& cascade_links = family(
        "sfu_cascade_links",
        "Node-to-node cascade links on each shard: send (a primary meeting's media to a replica "
        "node), receive (a primary's media from its node).",
        MetricType::Gauge);
    auto& cascade_packets =
        family("sfu_cascade_packets_total",
               "Cascade link packets by direction and kind (audio, video, retransmit, rtcp).",
               MetricType::Counter);
    auto& cascade_refused = family(
        "sfu_cascade_refused_total",
        "Datagrams from a cascade peer refused: SRTP/SRTCP authentication failed, a replay (a "
        "retransmission that arrived twice included), or not RTP.",
        MetricType::Counter);
    auto& cascade_cpu =
        family("sfu_cascade_cpu_seconds_total",
               "Shard thread CPU time spent on cascade packets, by direction: send (relaying, "
               "answering the link's RTCP), receive (authenticating and handing "
               "over to the local mixer and forwarder; not the fan-out).",
               MetricType::Counter);
    for (size_t i = 0; i < shards.size(); ++i) {
      const ShardStats& s = *shards[i];
      add(packets, i, Read(s.packets_in), {{"direction", "in"}});
      add(packets, i, Read(s.packets_out), {{"direction", "out"}});
      add(bytes, i, Read(s.bytes_in), {{"direction", "in"}});
      add(bytes, i, Read(s.bytes_out), {{"direction", "out"}});
      for (size_t r = 0; r < s.drops.size(); ++r) {
        add(drops, i, Read(s.drops[r]),
            {{"reason", std::string(DropReasonName(static_cast<DropReason>(r)))}});
      }
      add(tasks, i, Read(s.tasks_run));
      add(ice, i, Read(s.ice_checks));
      add(consent, i, Read(s.ice_consent_expiries));
      add(dtls, i, Read(s.dtls_handshakes_ok), {{"result", "ok"}});
      add(dtls, i, Read(s.dtls_handshakes_failed), {{"result", "failed"}});
      add(dtls_deferred, i, Read(s.dtls_deferred));
      static const char* kSrtpReasons[] = {"ok",        "auth_fail", "replay",
                                           "bad_param", "no_space",  "other"};
      for (size_t r = 1; r < s.srtp_errors.size(); ++r)
        add(srtp, i, Read(s.srtp_errors[r]), {{"reason", kSrtpReasons[r]}});
      add(media, i, Read(s.rtp_packets_in), {{"kind", "rtp"}});
      add(media, i, Read(s.rtcp_packets_in), {{"kind", "rtcp"}});
      add(sctp, i, Read(s.sctp_messages_in), {{"direction", "in"}});
      add(sctp, i, Read(s.sctp_messages_out), {{"direction", "out"}});
      add(batches, i, Read(s.recv_batches), {{"call", "recvmmsg"}});
      add(batches, i, Read(s.send_batches), {{"call", "sendmmsg"}});
      const auto add_stream = [&](const transport::StreamStats& st, const char* kind) {
        add(streams, i, Read(st.accepted), {{"kind", kind}, {"outcome", "accepted"}});
        add(streams, i, Read(st.refused), {{"kind", kind}, {"outcome", "refused"}});
        add(streams, i, Read(st.closed_framing), {{"kind", kind}, {"outcome", "framing_error"}});
        add(streams, i, Read(st.closed_idle), {{"kind", kind}, {"outcome", "idle"}});
        add(streams_open, i, static_cast<double>(st.open.load(std::memory_order_relaxed)),
            {{"kind", kind}});
        add(stream_datagrams, i, Read(st.datagrams_in), {{"kind", kind}, {"direction", "in"}});
        add(stream_datagrams, i, Read(st.datagrams_out), {{"kind", kind}, {"direction", "out"}});
        add(stream_datagrams, i, Read(st.send_dropped), {{"kind", kind}, {"direction", "dropped"}});
      };
      add_stream(s.ice_tcp, "ice_tcp");
      add_stream(s.turn_connections, "turn");
      add(turn, i, Read(s.turn.allocations), {{"event", "allocation"}});
      add(turn, i, Read(s.turn.auth_failures), {{"event", "auth_failure"}});
      add(turn, i, Read(s.turn.peers_refused), {{"event", "peer_refused"}});
      add(turn, i, Read(s.turn.bad_requests), {{"event", "bad_request"}});
      add(turn, i, Read(s.turn.relayed_to_peer), {{"event", "relayed_to_server"}});
      add(turn, i, Read(s.turn.relayed_to_client), {{"event", "relayed_to_client"}});
      add(turn, i, Read(s.turn.dropped_no_permission), {{"event", "no_permission"}});
      add(rooms, i, static_cast<double>(s.rooms.load(std::memory_order_relaxed)));
      add(transports, i, static_cast<double>(s.transports.load(std::memory_order_relaxed)));
      add(running, i, s.running.load(std::memory_order_relaxed) ? 1.0 : 0.0);
      add(overloaded, i, s.overloaded.load(std::memory_order_relaxed) ? 1.0 : 0.0);
      add(ticks, i, Read(s.ticks));
      add(late, i, Read(s.late_ticks));
      add(starved, i, Read(s.late_ticks_starved));
      add(thread_cpu, i, Read(s.thread_cpu_us) / 1e6);
      add(mix, i, Read(s.mix_ticks));
      add(codec, i, Read(s.mix_decodes), {{"op", "decode"}});
      add(codec, i, Read(s.mix_encodes), {{"op", "encode"}});
      add(repair, i, Read(s.mix_fec_recovered), {{"method", "fec"}});
      add(repair, i, Read(s.mix_red_recovered), {{"method", "red"}});
      add(repair, i, Read(s.mix_concealed), {{"method", "concealment"}});
      add(bad_audio, i, Read(s.mix_bad_packets));
      add(mixing, i, static_cast<double>(s.mixing_participants.load(std::memory_order_relaxed)));
      add(video, i, Read(s.video_packets_forwarded), {{"outcome", "forwarded"}});
      add(video, i, Read(s.video_retransmissions), {{"outcome", "retransmitted"}});
      add(video, i, Read(s.video_waiting_keyframe), {{"outcome", "waiting_keyframe"}});
      add(video, i, Read(s.video_unknown), {{"outcome", "unknown"}});
      add(video, i, Read(s.video_over_resolution), {{"outcome", "over_max_resolution"}});
      add(video, i, Read(s.video_rtx_received), {{"outcome", "rtx_unwrapped"}});
      add(video_rtcp, i, Read(s.video_keyframe_requests), {{"kind", "pli"}});
      add(video_rtcp, i, Read(s.video_nacks_sent), {{"kind", "nack"}});
      add(switches, i, Read(s.video_layer_switches_up), {{"direction", "up"}});
      add(switches, i, Read(s.video_layer_switches_down), {{"direction", "down"}});
      add(probes, i, Read(s.video_probes));
      add(padding, i, Read(s.video_padding_bytes));
      add(pause_ignored, i, Read(s.video_pause_ignored));
      add_histogram(tick_cpu, i, s.mix_tick_cpu_us);
      add_histogram(jb_delay, i, s.jitter_delay_ms);
      const auto dir = [](const char* d) -> prometheus::ClientMetric::Label {
        return {"direction", d};
      };
      add(cascade_links, i, static_cast<double>(s.cascade_links_send.load()), {dir("send")});
      add(cascade_links, i, static_cast<double>(s.cascade_links_receive.load()), {dir("receive")});
      add(cascade_packets, i, Read(s.cascade_sent_audio), {dir("send"), {"kind", "audio"}});
      add(cascade_packets, i, Read(s.cascade_sent_video), {dir("send"), {"kind", "video"}});
      add(cascade_packets, i, Read(s.cascade_sent_retransmit),
          {dir("send"), {"kind", "retransmit"}});
      add(cascade_packets, i, Read(s.cascade_sent_rtcp), {dir("send"), {"kind", "rtcp"}});
      add(cascade_packets, i, Read(s.cascade_received_audio), {dir("receive"), {"kind", "audio"}});
      add(cascade_packets, i, Read(s.cascade_received_video), {dir("receive"), {"kind", "video"}});
      add(cascade_packets, i, Read(s.cascade_received_rtcp), {dir("receive"), {"kind", "rtcp"}});
      add(cascade_refused, i, Read(s.cascade_refused));
      add(cascade_cpu, i, Read(s.cascade_send_cpu_ns) / 1e9, {dir("send")});
      add(cascade_cpu, i, Read(s.cascade_receive_cpu_ns) / 1e9, {dir("receive")});
    }
    return out;
  }
};

}  // namespace

std::shared_ptr<prometheus::Collectable> MakeShardCollector(std::vector<const ShardStats*> shards) {
  auto c = std::make_shared<ShardCollector>();
  c->shards = std::move(shards);
  return c;
}

}  // namespace sfu

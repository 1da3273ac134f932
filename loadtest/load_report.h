#pragma once
// What a load-test run measured, and its three renderings: a table for people reading a
// terminal, JSON for machines (--json), and one self-contained HTML page with plots (--report).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "loadtest/slo.h"

namespace sfu::loadtest {

struct Distribution {
  size_t n = 0;
  double p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
  static Distribution Of(std::vector<double> values);
};

struct SecondSample {
  double t = 0;                // seconds since the first join
  int in_meeting = 0;          // attendees joining or joined
  int media = 0;               // receiving mixed audio (a packet in the last second)
  double loss_pct = 0;         // downlink audio loss in this second
  int errors = 0;              // failures so far
  double server_cpu_pct = -1;  // of one core; -1 when /metrics was not readable
  double client_cpu_pct = 0;
  double server_pps_out = -1;
};

// One meeting's figures, shown per meeting when a run has few meetings (a bad meeting hides in
// the totals of many good ones).
struct MeetingRow {
  int meeting = 0;  // index in the run
  int joins_attempted = 0, joins_ok = 0;
  Distribution join_ms, mouth_to_ear_ms;
  double talkers_heard_pct = -1;   // -1: not measured
  double audio_loss_pct = -1;      // not caused by our impairment; -1: no audio
  double frames_decoded_pct = -1;  // -1: no video
  uint64_t video_freezes = 0;
};

struct LoadReport {
  // Scenario.
  std::string target = "chime";  // --target
  bool mixed_audio = true;  // the target mixes audio (every attendee receives one mixed stream)
  int analysed_per_meeting = 0;
  int mixed_talkers = 3;  // the server's K (talkers a listener can hear at once)
  std::string endpoint;
  int meetings = 0;
  int attendees_per_meeting = 0;
  int talkers_per_meeting = 0;
  int video_senders_per_meeting = 0;
  std::string media_path = "udp";  // --media-path
  double duration_s = 0;           // asked
  double ran_s = 0;                // actual, first join to teardown
  bool interrupted = false;        // Ctrl-C
  int threads = 0;
  // Joins.
  int joins_attempted = 0;
  int joins_ok = 0;
  std::map<std::string, int> failures;  // by reason
  Distribution join_ms;
  std::vector<double> join_ms_values;
  // Audio.
  uint64_t audio_sent = 0, audio_impaired = 0, audio_received = 0, audio_expected = 0;
  uint64_t audio_downlink_impaired = 0;  // downlink audio packets our own impairment dropped
  double audio_loss_pct = 0;             // all downlink loss
  double audio_server_loss_pct = 0;      // ... less what our impairment dropped
  Distribution jitter_ms;                // per attendee, last RFC 3550 value
  Distribution mouth_to_ear_ms;
  uint64_t analysed_frames = 0;
  uint64_t mix_minus_violations = 0;
  double talker_presence_pct = -1;  // -1: not measurable (more talkers than mixed)
  // Data messages, mute, churn.
  uint64_t data_sent = 0, data_received = 0, data_throttled = 0;
  uint64_t mute_toggles = 0, leaves = 0;
  // Video: frames sent by the cameras, frames decoded on subscribed sections (complete, reference
  // chain intact), freezes (a received stream more than 300 ms without a decoded frame),
  // key-frame requests the cameras got,
  // packets they resent for NACKs, and sections subscribed at the end.
  uint64_t video_frames_sent = 0, video_frames_received = 0, video_freezes = 0;
  uint64_t video_keyframe_requests = 0, video_retransmissions = 0, video_streams_subscribed = 0;
  // Receivers, like a browser: packets, packets repaired by NACK, NACKed sequence numbers, PLIs,
  // RTX padding (the server's probes), key-frame waits (chain broken -> next key frame) and the
  // time from a new subscription to its first decoded frame.
  uint64_t video_frames_expected = 0;  // what the server forwarded (PictureID spans)
  uint64_t video_packets_received = 0, video_packets_recovered = 0, video_nacks_sent = 0,
           video_plis_sent = 0;
  uint64_t video_padding_bytes = 0;
  Distribution video_keyframe_wait_ms, video_first_frame_ms;
  double video_stream_seconds = 0;         // received streams x time from their first to last frame
  std::map<int, int> video_widths_at_end;  // decoded picture width -> received streams (layers)
  // Attendees behind a downlink bottleneck (--downlink-limit): the picture width they decoded
  // (the simulcast layer) of each received camera before, during and after the limit.
  struct Constrained {
    int kbps = 0;
    double from_s = 0, until_s = 0;  // since the run started; until 0: to the end
    int streams = 0;                 // cameras it received when the limit began
    int width_before = 0;            // the narrowest of them then
    int lowest_width = 0;            // the narrowest decoded under the limit
    int width_at_end = 0;            // the narrowest at the end of the run
    double down_ms = -1;   // limit start -> the first camera's narrower key frame decoded; -1: none
    double up_ms = -1;     // limit end -> every camera back to its width before; -1: not back
    uint64_t dropped = 0;  // packets the bottleneck dropped
    double settled_fps = -1;  // decoded frames/s (all cameras) from 4 s into the limit to its end
    struct Change {
      double t = 0;  // s since the run started
      uint32_t ssrc = 0;
      int width = 0;
    };
    std::vector<Change> widths;
  };
  std::vector<Constrained> constrained;
  // An uplink delay/jitter burst (--delay/--jitter with --delay-from/--delay-until): mouth-to-ear
  // medians before, during and after it, and how soon after it ended every one-second median
  // stayed within 10 ms of the one before (-1: never within the run).
  struct Burst {
    double from_s = 0, until_s = 0;
    double before_ms = -1, during_ms = -1, after_ms = -1;
    double recovered_s = -1;
  };
  std::optional<Burst> burst;
  // Median mouth-to-ear per 5-second window of the run (-1: none measured in it): shows a join
  // storm's or a stall's effect and the recovery after it.
  std::vector<double> mouth_to_ear_by_5s_ms;
  bool meeting_ended = false;
  // Cost. The server's CPU (and memory) from /proc/<pid> with --server-pid, else from /metrics;
  // per unit of work both as the server counts it (/metrics: packets it sent, attendees its
  // mixer had) and as the clients saw it (RTP packets they received, attendee-seconds receiving
  // media), the latter the same for every target (side-by-side figures use it).
  bool server_cost = false;  // server_cpu_s known
  std::string server_cpu_source;
  double server_rss_mib = 0, server_rss_peak_mib = 0;  // /proc only (0: unknown)
  uint64_t client_rtp_received = 0;
  uint64_t client_video_rtp_received = 0;
  double media_attendee_seconds = 0;
  double server_cpu_us_per_rtp_received = 0;
  // All of the server's CPU over the video packets only: what a forwarded video packet costs at
  // most (the same CPU also carried the audio).
  double server_cpu_us_per_video_rtp_received = 0;
  double server_cpu_us_per_media_attendee_s = 0;
  bool server_metrics = false;  // /metrics read
  double server_cpu_s = 0;
  double server_packets_in = 0, server_packets_out = 0;
  double mixed_attendee_seconds = 0;
  double server_cpu_us_per_packet_out = 0;
  double server_cpu_us_per_mixed_attendee_s = 0;
  double client_cpu_s = 0;
  double client_cpu_us_per_attendee_s = 0;
  std::vector<SecondSample> timeline;
  std::vector<std::string> notes;  // remarks worth reading
  // The load tester's own health: its 20 ms media ticks (late: > 10 ms after the deadline), its
  // CPU, and the whole machine's (from /proc/stat; -1: unreadable). When the client or the
  // machine was saturated the figures describe the load tester, not the server.
  uint64_t client_ticks = 0, client_late_ticks = 0;
  double client_tick_late_max_ms = 0;
  double client_cpu_pct = 0;     // of one core, average over the run
  double machine_busy_pct = -1;  // of all cores, average over the run
  int machine_cores = 0;
  bool client_saturated = false;
  std::vector<std::string> warnings;  // figures not to be trusted, and why
  // Per meeting (all meetings; the table and the page show them when there are few).
  std::vector<MeetingRow> per_meeting;
  // The verdict: each objective, measured and judged (EvaluateSlo).
  std::vector<SloResult> slo;

  // Joins were attempted, the meeting did not end, and no objective failed.
  bool Passed() const;
};

std::string ReportTable(const LoadReport& r);
std::string ReportJson(const LoadReport& r);
std::string ReportHtml(const LoadReport& r);

}  // namespace sfu::loadtest

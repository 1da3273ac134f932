// sfu-loadtest: drives simulated Chime attendees against a server and reports what users feel
// and what the server pays. `sfu-loadtest --help` lists every flag.
#include <boost/program_options.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "base/log.h"
#include "loadtest/load_runner.h"

namespace po = boost::program_options;

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }
}  // namespace

// --slo's help, from the defaults themselves.
std::string SloHelp() {
  std::string s =
      "service-level objectives the verdict and the exit status follow: name=value,... (name=off "
      "drops one). Defaults:";
  for (const sfu::loadtest::SloObjective& o : sfu::loadtest::DefaultObjectives()) {
    char v[32];
    std::snprintf(v, sizeof(v), "%g", o.target);
    s += std::string(" ") + o.name + (o.at_most ? " <= " : " >= ") + v + ",";
  }
  s.back() = '.';
  return s +
         " audio_loss_pct leaves out what --loss/--downlink-limit dropped; freezes_per_min "
         "counts per received camera-minute";
}

int main(int argc, char** argv) {
  sfu::loadtest::LoadOptions o;
  std::string json_file, html_file, media_path = "udp", target = "chime";
  std::vector<std::string> slo_specs;
  bool quiet = false;
  // clang-format off
  po::options_description desc(
      "sfu-loadtest: simulated Chime SDK attendees against an sfu-server (or any server with the same API).\n"
      "Creates meetings and attendees through the control API, joins them over the Chime signaling\n"
      "protocol with real ICE/DTLS/SRTP media, and reports join times, audio loss and jitter,\n"
      "mouth-to-ear delay, mix-minus checks, data messages, and the server's CPU cost from /metrics.\n"
      "Exit status: 0 passed (every service-level objective met, see --slo), 1 ran but failed (an\n"
      "objective missed, a meeting ended), "
      "2 could not start (bad flags, unreachable server, refused key), 3 did not finish in time (a bug).\n\nOptions");
  desc.add_options()
    ("help,h", "print this help")
    ("target", po::value(&target)->default_value(target),
       "the server under test: chime (sfu-server, or any server with the Chime SDK's APIs), janus-audiobridge or "
       "janus-videoroom (Janus 1.x through its WebSocket API: a room per meeting; see scripts/janus-peer.sh)")
    ("endpoint", po::value(&o.endpoint)->default_value(o.endpoint),
       "the server's control API base URL (http only); janus-*: its WebSocket API, e.g. ws://127.0.0.1:8188")
    ("cluster-endpoint", po::value(&o.more_endpoints)->composing(),
       "another node of the same cluster (sfu-server --redis; repeatable): meetings are created through "
       "the nodes in turn (--endpoint first), each meeting's attendees through the next node, and the "
       "server cost figures add up every node's /metrics")
    ("server-pid", po::value(&o.server_pid)->default_value(0),
       "the server's process id on this machine: its CPU and memory from /proc/PID (the whole process; "
       "the only source for Janus, which has no metrics endpoint)")
    ("api-key", po::value(&o.api_key), "KEYID:SECRET: sign API calls with AWS SigV4 (default: unsigned, loopback servers)")
    ("region", po::value(&o.region)->default_value(o.region), "MediaRegion of created meetings and the SigV4 region")
    ("meeting-id", po::value(&o.meeting_id), "join this existing meeting (creating --attendees attendees) instead of creating meetings")
    ("meetings", po::value(&o.meetings)->default_value(o.meetings), "meetings to create")
    ("attendees", po::value(&o.attendees)->default_value(o.attendees), "attendees per meeting")
    ("talkers", po::value(&o.talkers)->default_value(o.talkers), "talkers per meeting: each sends its own tone, 1.2 s on / 0.8 s off; the rest send silence")
    ("video-senders", po::value(&o.video_senders)->default_value(0), "camera senders per meeting (the first attendees): 640x360 VP8 at 25 fps, ~500 kb/s, encoded once with libvpx and looped; every attendee subscribes to every camera (up to 25)")
    ("simulcast", po::bool_switch(&o.simulcast), "send cameras as simulcast: RIDs low/mid/hi at 160x90/320x180/640x360 (150/300/500 kb/s); receivers take the highest layer of each camera")
    ("duration", po::value(&o.duration_s)->default_value(o.duration_s), "seconds the run lasts, from the first join")
    ("join-rate", po::value(&o.join_rate)->default_value(o.join_rate), "joins per second, all meetings together")
    ("churn", po::value(&o.churn)->default_value(0), "leave-and-rejoin events per second (an attendee leaves, rejoins 1 s later; none in the last 3 s)")
    ("loss", po::value(&o.loss_pct)->default_value(0), "random packet loss in percent, on impaired attendees' uplink and downlink audio")
    ("burst-loss", po::value(&o.burst_loss_pct)->default_value(0), "percent chance per packet to start a loss burst (mean 4 packets), uplink")
    ("delay", po::value(&o.delay_ms)->default_value(0), "added uplink delay in ms")
    ("jitter", po::value(&o.jitter_ms)->default_value(0), "added uplink jitter in ms (uniform 0..N on top of --delay)")
    ("impaired-attendees", po::value(&o.impaired_attendees)->default_value(-1), "impair only the first N attendees of each meeting (talkers come first); -1: all")
    ("downlink-limit", po::value(&o.downlink_kbps)->default_value(0), "a downlink bottleneck of N kb/s (a queue of at most 300 ms, tail drop) on the last --limited-attendees of each meeting; the report shows the video width they decoded before, during and after")
    ("downlink-limit-from", po::value(&o.downlink_from_s)->default_value(0), "seconds after the start when the bottleneck begins")
    ("delay-from", po::value(&o.delay_from_s)->default_value(0),
       "seconds after the start when --delay/--jitter begin (with --delay-until: a burst; the report "
       "then shows mouth-to-ear before, during and how soon after it is back within 10 ms of before)")
    ("delay-until", po::value(&o.delay_until_s)->default_value(0),
       "seconds after the start when --delay/--jitter end (0: they last the whole run)")
    ("downlink-limit-until", po::value(&o.downlink_until_s)->default_value(0), "seconds after the start when it ends (0: lasts to the end)")
    ("limited-attendees", po::value(&o.limited_attendees)->default_value(1), "how many attendees per meeting (the last ones) get --downlink-limit")
    ("mute-toggle", po::value(&o.mute_toggle)->default_value(0), "mute/unmute toggles per second (AUDIO_CONTROL; muted attendees send silence)")
    ("data-rate", po::value(&o.data_rate)->default_value(0), "data messages per second per meeting")
    ("media-path", po::value(&media_path)->default_value(media_path),
       "how every attendee's media reaches the server: udp (the answer's UDP host candidate), tcp (its ICE-TCP "
       "passive candidate, RFC 4571 framing), turn-tls or turn-tcp (relayed by the server's TURN server over TLS or "
       "TCP with the JOIN_ACK's credentials: start sfu-server with --turn-policy always)")
    ("red", po::bool_switch(&o.red), "offer RED (RFC 2198) and send audio with distance-2 redundancy")
    ("threads", po::value(&o.threads)->default_value(0), "client worker threads (0: one per core)")
    ("analyse", po::value(&o.analyse_per_meeting)->default_value(o.analyse_per_meeting), "attendees per meeting that decode and analyse what they hear")
    ("mixer-talkers", po::value(&o.mixed_talkers)->default_value(o.mixed_talkers), "the server's --mixer-talkers (how many talkers a listener can hear)")
    ("slo", po::value(&slo_specs)->composing(), SloHelp().c_str())
    ("trace", po::value(&o.trace_file),
       "write every signaling frame the first attendee of the first meeting sends and receives, and its transport "
       "events (ICE pair, DTLS role, cipher and SRTP profile, first RTP per SSRC), as JSON lines to FILE")
    ("json", po::value(&json_file), "write the report as JSON to FILE")
    ("report", po::value(&html_file), "write a self-contained HTML report with plots to FILE")
    ("quiet", po::bool_switch(&quiet), "no progress lines");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "sfu-loadtest: " << e.what() << " (see --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return 0;
  }
  if (auto t = sfu::loadtest::ParseTarget(target)) {
    o.target = *t;
  } else {
    std::cerr << "sfu-loadtest: --target must be chime, janus-audiobridge or janus-videoroom\n";
    return 2;
  }
  if (auto path = sfu::loadtest::ParseMediaPath(media_path)) {
    o.media_path = *path;
  } else {
    std::cerr << "sfu-loadtest: --media-path must be udp, tcp, turn-tls or turn-tcp\n";
    return 2;
  }
  for (const std::string& spec : slo_specs) {
    std::string error;
    if (!sfu::loadtest::ApplySloSpec(spec, &o.objectives, &error)) {
      std::cerr << "sfu-loadtest: " << error << "\n";
      return 2;
    }
  }
  o.progress = !quiet;
  sfu::base::SetLogLevel(sfu::base::LogLevel::kError);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  // Never a hang: whatever goes wrong, the process ends within the run time plus a margin.
  std::thread([limit = o.duration_s + 90.0] {
    std::this_thread::sleep_for(std::chrono::duration<double>(limit));
    std::fprintf(
        stderr,
        "sfu-loadtest: did not finish within %.0f s of starting; giving up (this is a bug)\n",
        limit);
    std::_Exit(3);
  }).detach();
  sfu::loadtest::LoadReport report;
  std::string error;
  const int rc = sfu::loadtest::RunLoad(o, g_stop, std::cerr, &report, &error);
  if (rc == 2) {
    std::cerr << "sfu-loadtest: " << error << "\n";
    return 2;
  }
  std::cout << sfu::loadtest::ReportTable(report);
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
    if (!f) std::cerr << "sfu-loadtest: cannot write " << path << "\n";
    return static_cast<bool>(f);
  };
  bool written = true;
  if (!json_file.empty()) written &= write(json_file, sfu::loadtest::ReportJson(report));
  if (!html_file.empty()) written &= write(html_file, sfu::loadtest::ReportHtml(report));
  return written ? rc : 2;
}

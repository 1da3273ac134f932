#include "loadtest/load_runner.h"

#include <sys/resource.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <random>
#include <thread>

#include "loadtest/control_client.h"
#include "loadtest/janus_rooms.h"
#include "loadtest/run_analysis.h"
#include "loadtest/run_setup.h"
#include "loadtest/sim_attendee.h"
#include "loadtest/trace.h"
#include "transport/dtls/dtls_context.h"

namespace sfu::loadtest {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Snapshot {
  int in_meeting = 0, media = 0, failures = 0;
  uint64_t expected = 0, received = 0;
};

// One thread with its io_context, its attendees and their 20 ms media tick.
class Worker {
 public:
  explicit Worker(std::string* error) : tick_(io_) {
    dtls_ = transport::DtlsContext::Create(error);
  }
  bool ok() const { return dtls_ != nullptr; }
  void Start() {
    thread_ = std::thread([this] { io_.run(); });
    asio::post(io_, [this] {
      next_ = Clock::now();
      Arm();
    });
  }
  // Ends the worker: attendees are destroyed, and the loop gets 2 s to finish what they left
  // (WebSocket close handshakes) before it is stopped outright.
  void Stop() {
    asio::post(io_, [this] {
      stopping_ = true;  // a tick whose expiry was already queued must not re-arm
      tick_.cancel();
      attendees_.clear();
      work_.reset();
    });
    if (!thread_.joinable()) return;
    auto done = std::async(std::launch::async, [this] { thread_.join(); });
    if (done.wait_for(std::chrono::seconds(2)) != std::future_status::ready) io_.stop();
    done.wait();
  }
  // Runs f on the worker and waits (bounded) for its result.
  template <class F>
  auto Call(F f) -> std::optional<decltype(f())> {
    auto task = std::make_shared<std::packaged_task<decltype(f())()>>(std::move(f));
    auto fut = task->get_future();
    asio::post(io_, [task] { (*task)(); });
    if (fut.wait_for(std::chrono::seconds(10)) != std::future_status::ready) return std::nullopt;
    return fut.get();
  }
  void Post(std::function<void()> f) { asio::post(io_, std::move(f)); }
  asio::io_context& io() { return io_; }
  const transport::DtlsContext& dtls() const { return *dtls_; }
  std::vector<std::unique_ptr<SimAttendee>>& attendees() { return attendees_; }
  // Worker thread only (through Call).
  uint64_t ticks() const { return ticks_; }
  uint64_t late_ticks() const { return late_ticks_; }
  double late_max_ms() const { return late_max_ms_; }
  static constexpr double kLateTickMs = 10;

 private:
  void Arm() {
    next_ += std::chrono::milliseconds(20);
    if (Clock::now() > next_ + std::chrono::milliseconds(200))
      next_ = Clock::now();  // fell far behind
    tick_.expires_at(next_);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      // How late this tick runs: a loaded client sends and measures late, and says so.
      const double late_ms =
          std::chrono::duration<double, std::milli>(Clock::now() - next_).count();
      ++ticks_;
      if (late_ms > kLateTickMs) ++late_ticks_;
      late_max_ms_ = std::max(late_max_ms_, late_ms);
      const int64_t now = NowUs();
      for (auto& a : attendees_) a->Tick(frame_, now);
      ++frame_;
      Arm();
    });
  }
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::steady_timer tick_;
  Clock::time_point next_;
  uint64_t frame_ = 0;
  uint64_t ticks_ = 0, late_ticks_ = 0;  // worker thread only
  double late_max_ms_ = 0;
  bool stopping_ = false;  // worker thread only
  std::unique_ptr<transport::DtlsContext> dtls_;
  std::vector<std::unique_ptr<SimAttendee>> attendees_;
  std::thread thread_;
};

struct Slot {
  size_t worker;
  size_t index;  // in the worker's attendees
  size_t meeting;
};

}  // namespace

int RunLoad(const LoadOptions& o, const std::atomic<bool>& stop, std::ostream& out,
            LoadReport* report, std::string* error) {
  LoadReport& r = *report;
  r.endpoint = o.endpoint;
  for (const std::string& e : o.more_endpoints) r.endpoint += " " + e;
  r.duration_s = o.duration_s;
  r.talkers_per_meeting = o.talkers;
  r.video_senders_per_meeting = o.video_senders;
  r.attendees_per_meeting = o.attendees;
  r.media_path = MediaPathName(o.media_path);
  r.analysed_per_meeting = o.analyse_per_meeting;
  r.mixed_talkers = o.mixed_talkers;
  if (o.downlink_kbps < 0 || (o.downlink_kbps > 0 && o.downlink_kbps < 20) ||
      o.limited_attendees < 0 || o.limited_attendees > o.attendees || o.downlink_from_s < 0 ||
      (o.downlink_until_s != 0 && o.downlink_until_s <= o.downlink_from_s)) {
    *error =
        "--downlink-limit must be 0 or at least 20 kb/s, --limited-attendees from 0 to "
        "--attendees, and "
        "--downlink-limit-until after --downlink-limit-from";
    return 2;
  }
  if (o.delay_from_s < 0 || (o.delay_until_s != 0 && o.delay_until_s <= o.delay_from_s)) {
    *error = "--delay-until must come after --delay-from";
    return 2;
  }
  if (o.video_senders < 0 || o.video_senders > o.attendees) {
    *error = "--video-senders must be from 0 to --attendees";
    return 2;
  }
  if (o.meetings < 1 || o.attendees < 1 || o.talkers < 0 || o.talkers > o.attendees ||
      o.duration_s <= 0 || o.join_rate <= 0) {
    *error =
        "need --meetings >= 1, --attendees >= 1, 0 <= --talkers <= --attendees, --duration > 0, "
        "--join-rate > 0";
    return 2;
  }
  if (std::string refusal = TargetRefusal(o); !refusal.empty()) {
    *error = refusal;
    return 2;
  }
  auto url = ParseUrl(o.endpoint, error);
  if (!url) return 2;
  const bool janus = IsJanus(o.target);
  r.target = TargetName(o.target);
  r.mixed_audio = o.target != Target::kJanusVideoRoom;
  std::unique_ptr<ControlClient> api;
  if (!janus) api = std::make_unique<ControlClient>(*url, o.api_key, o.region);
  // Cluster: the other nodes' control APIs (--cluster-endpoint).
  std::vector<std::unique_ptr<ControlClient>> more_apis;
  std::vector<ControlClient*> apis;
  if (api) apis.push_back(api.get());
  for (const std::string& e : o.more_endpoints) {
    auto u = ParseUrl(e, error);
    if (!u) return 2;
    more_apis.push_back(std::make_unique<ControlClient>(*u, o.api_key, o.region));
    apis.push_back(more_apis.back().get());
  }

  // Meetings (Chime) or rooms (Janus), and attendees.
  std::vector<std::shared_ptr<MeetingShared>> meetings;
  std::vector<std::vector<std::string>> tokens;
  std::vector<uint64_t> rooms;
  const int meeting_count = o.meeting_id.empty() ? o.meetings : 1;
  r.meetings = meeting_count;
  if (o.progress)
    out << "creating " << meeting_count << (janus ? " room(s)" : " meeting(s)") << " for "
        << o.attendees << " attendees each at " << o.endpoint
        << (o.more_endpoints.empty()
                ? std::string()
                : " and " + std::to_string(o.more_endpoints.size()) + " more node(s) in turn")
        << "\n"
        << std::flush;
  if (janus ? !CreateJanusMeetings(o, *url, &meetings, &tokens, &rooms, error)
            : !CreateChimeMeetings(o, apis, &meetings, &tokens, error))
    return 2;
  // Janus's rooms go when the run ends, however it ends.
  struct RoomCleanup {
    const LoadOptions& o;
    const HttpUrl& url;
    const std::vector<uint64_t>& rooms;
    ~RoomCleanup() {
      if (!rooms.empty()) DestroyJanusRooms(url.host, url.port, o.target, rooms);
    }
  } room_cleanup{o, *url, rooms};
  const ServerSample server_start = Scrape(apis, o.server_pid);
  if (!server_start.ok)
    r.notes.push_back(o.server_pid > 0 ? "the server process was not readable in /proc: no server "
                                         "cost figures"
                      : janus          ? "no --server-pid: no server cost figures (Janus has no "
                                         "metrics endpoint)"
                              : "the server's /metrics was not readable: no server cost figures");

  // Workers and attendees.
  const int threads = o.threads > 0
                          ? o.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  r.threads = threads;
  static const SignalBank bank;
  const VideoBank* video_bank = nullptr;
  std::array<const VideoBank*, 3> simulcast_banks{};
  if (o.video_senders > 0 && !o.simulcast) {
    static const VideoBank vb;
    if (!vb.error().empty()) {
      *error = vb.error();
      return 2;
    }
    video_bank = &vb;
  }
  if (o.video_senders > 0 && o.simulcast) {
    static const VideoBank low(160, 90, 150), mid(320, 180, 300), hi(640, 360, 500);
    for (const VideoBank* b : {&low, &mid, &hi}) {
      if (!b->error().empty()) {
        *error = b->error();
        return 2;
      }
    }
    simulcast_banks = {&low, &mid, &hi};
  }
  std::shared_ptr<TraceSink> trace;
  if (!o.trace_file.empty()) {
    trace = TraceSink::Open(o.trace_file, error);
    if (!trace) return 2;
    trace->Write(boost::json::object{{"kind", "run"},
                                     {"target", TargetName(o.target)},
                                     {"endpoint", o.endpoint},
                                     {"meeting", meetings[0]->meeting_id},
                                     {"attendee", 0}});
  }
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(error));
    if (!workers.back()->ok()) return 2;
    workers.back()->Start();
  }
  std::vector<Slot> slots;
  std::mt19937 rng(12345);
  const int64_t t0_us = NowUs();  // bottleneck windows and width timelines count from here
  size_t next_worker = 0;
  for (size_t m = 0; m < meetings.size(); ++m) {
    for (int a = 0; a < o.attendees; ++a) {
      SimConfig c;
      c.target = o.target;
      c.meeting = meetings[m];
      c.meeting_index = static_cast<int>(m);
      c.attendee_index = a;
      if (m == 0 && a == 0) c.trace = trace;
      c.join_token = tokens[m][static_cast<size_t>(a)];
      c.talker_index = a < o.talkers ? a : -1;
      // Analyse one talker and one silent listener per meeting first (mix-minus and presence).
      const int analysed_talkers = o.talkers > 0 ? std::min(1, o.analyse_per_meeting) : 0;
      c.analyse = (a < analysed_talkers) ||
                  (a >= o.talkers && a < o.talkers + (o.analyse_per_meeting - analysed_talkers));
      c.mixed_talkers = o.mixed_talkers;
      if (o.impaired_attendees < 0 || a < o.impaired_attendees) {
        c.impairment =
            Impairment{o.loss_pct / 100.0, o.burst_loss_pct / 100.0, o.delay_ms, o.jitter_ms};
        if (o.delay_until_s > 0) {
          c.impairment.delay_from_us = t0_us + static_cast<int64_t>(o.delay_from_s * 1e6);
          c.impairment.delay_until_us = t0_us + static_cast<int64_t>(o.delay_until_s * 1e6);
        }
      }
      if (o.downlink_kbps > 0 && a >= o.attendees - o.limited_attendees) {
        c.impairment.downlink_kbps = o.downlink_kbps;
        c.impairment.limit_from_us = t0_us + static_cast<int64_t>(o.downlink_from_s * 1e6);
        c.impairment.limit_until_us =
            o.downlink_until_s > 0 ? t0_us + static_cast<int64_t>(o.downlink_until_s * 1e6) : 0;
      }
      c.seed = static_cast<uint32_t>(rng());
      c.red = o.red;
      c.media_path = o.media_path;
      c.video = a < o.video_senders ? video_bank : nullptr;
      if (a < o.video_senders) c.simulcast = simulcast_banks;
      Worker& w = *workers[next_worker];
      auto index = w.Call([&w, c] {
        w.attendees().push_back(SimAttendee::Create(w.io(), w.dtls(), bank, c));
        return w.attendees().size() - 1;
      });
      if (!index) {
        *error = "a client worker thread did not answer";
        return 2;
      }
      slots.push_back({next_worker, *index, m});
      next_worker = (next_worker + 1) % workers.size();
    }
  }
  // Interleave joins across meetings.
  std::vector<size_t> join_order;
  for (int a = 0; a < o.attendees; ++a)
    for (size_t m = 0; m < meetings.size(); ++m)
      join_order.push_back(m * static_cast<size_t>(o.attendees) + static_cast<size_t>(a));

  auto with = [&](const Slot& s, auto f) {
    Worker& w = *workers[s.worker];
    w.Post([&w, s, f] { f(*w.attendees()[s.index]); });
  };
  auto snapshot = [&]() {
    Snapshot total;
    const int64_t now = NowUs();
    for (auto& w : workers) {
      auto part = w->Call([&w, now] {
        Snapshot s;
        for (auto& a : w->attendees()) {
          s.in_meeting += a->in_meeting();
          s.media += a->media_flowing(now);
          const AttendeeStats& st = a->stats();
          s.failures += static_cast<int>(st.failures.size());
          s.expected += st.audio_expected;
          s.received += st.audio_received;
        }
        return s;
      });
      if (!part) continue;
      total.in_meeting += part->in_meeting;
      total.media += part->media;
      total.failures += part->failures;
      total.expected += part->expected;
      total.received += part->received;
    }
    return total;
  };

  // The run.
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuSeconds();
  uint64_t machine_busy_start = 0, machine_total_start = 0;
  const bool machine_cpu = ReadMachineCpu(&machine_busy_start, &machine_total_start);
  size_t joined_count = 0;
  double churn_credit = 0, mute_credit = 0;
  std::vector<double> data_credit(meetings.size(), 0);
  Snapshot last;
  ServerSample last_server = server_start;
  double last_cpu = cpu_start;
  auto last_second = start;
  double mixed_attendee_seconds = 0;  // the server's count (/metrics)
  double media_attendee_seconds = 0;  // the clients' count: attendees receiving media
  bool ended = false;
  std::vector<std::pair<size_t, Clock::time_point>> rejoin;  // slot, when
  while (!stop.load()) {
    const auto now = Clock::now();
    const double t = std::chrono::duration<double>(now - start).count();
    if (t >= o.duration_s) break;
    // Joins at the asked rate.
    const size_t due = std::min(join_order.size(), static_cast<size_t>(t * o.join_rate) + 1);
    for (; joined_count < due; ++joined_count)
      with(slots[join_order[joined_count]], [](SimAttendee& a) { a.Join(); });
    // Churn: a joined attendee leaves and rejoins a second later - not in the last 3 s, where a
    // rejoin could not get its first audio before the end and would count as a failed join.
    const bool churn_window = t < o.duration_s - 3;
    churn_credit += churn_window ? o.churn * 0.05 : 0;
    while (churn_credit >= 1 && joined_count > 0) {
      churn_credit -= 1;
      const size_t s = join_order[rng() % joined_count];
      // Only an attendee with media leaves: one still joining would count as a join that never
      // got audio (the run abandoned it, the server did not fail it). Its rejoin then finds it
      // in the meeting and does nothing.
      with(slots[s], [](SimAttendee& a) {
        if (a.joined()) a.Leave();
      });
      rejoin.emplace_back(s, now + std::chrono::seconds(1));
    }
    for (auto it = rejoin.begin(); it != rejoin.end();) {
      if (it->second <= now) {
        with(slots[it->first], [](SimAttendee& a) { a.Join(); });
        it = rejoin.erase(it);
      } else {
        ++it;
      }
    }
    mute_credit += o.mute_toggle * 0.05;
    while (mute_credit >= 1 && joined_count > 0) {
      mute_credit -= 1;
      with(slots[join_order[rng() % joined_count]], [](SimAttendee& a) { a.ToggleMute(); });
    }
    for (size_t m = 0; m < meetings.size(); ++m) {
      data_credit[m] += o.data_rate * 0.05;
      while (data_credit[m] >= 1) {
        data_credit[m] -= 1;
        const size_t s =
            m * static_cast<size_t>(o.attendees) + rng() % static_cast<size_t>(o.attendees);
        with(slots[s], [](SimAttendee& a) { a.SendDataMessage(); });
      }
      if (meetings[m]->ended) ended = true;
    }
    if (ended) {
      r.notes.push_back("the server ended a meeting during the run (410); stopping early");
      break;
    }
    // Once a second: progress and the timeline.
    if (now - last_second >= std::chrono::seconds(1)) {
      const double dt = std::chrono::duration<double>(now - last_second).count();
      last_second = now;
      const Snapshot s = snapshot();
      const ServerSample sv = Scrape(apis, o.server_pid);
      const double cpu = ProcessCpuSeconds();
      SecondSample sample;
      sample.t = t;
      sample.in_meeting = s.in_meeting;
      sample.media = s.media;
      const uint64_t de = s.expected - last.expected, dr = s.received - last.received;
      sample.loss_pct =
          de > 0 && de > dr ? 100.0 * static_cast<double>(de - dr) / static_cast<double>(de) : 0;
      sample.errors = s.failures;
      sample.client_cpu_pct = 100.0 * (cpu - last_cpu) / dt;
      if (sv.ok && last_server.ok) sample.server_cpu_pct = 100.0 * (sv.cpu - last_server.cpu) / dt;
      if (sv.metrics && last_server.metrics) {
        sample.server_pps_out = (sv.out - last_server.out) / dt;
        mixed_attendee_seconds += sv.mixing * dt;
      }
      media_attendee_seconds += s.media * dt;
      r.timeline.push_back(sample);
      if (o.progress) {
        char line[256];
        std::snprintf(line, sizeof(line),
                      "[%5.1fs] in meeting %d/%zu  media %d  loss %.2f%%  errors %d  server cpu %s "
                      " client cpu %.0f%%\n",
                      t, s.in_meeting, slots.size(), s.media, sample.loss_pct, s.failures,
                      sample.server_cpu_pct < 0
                          ? "n/a"
                          : (std::to_string(static_cast<int>(sample.server_cpu_pct)) + "%").c_str(),
                      sample.client_cpu_pct);
        out << line << std::flush;
      }
      last = s;
      last_server = sv;
      last_cpu = cpu;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r.interrupted = stop.load();
  r.meeting_ended = ended;
  const auto end = Clock::now();
  r.ran_s = std::chrono::duration<double>(end - start).count();
  const ServerSample server_end = Scrape(apis, o.server_pid);
  const double cpu_end = ProcessCpuSeconds();
  uint64_t machine_busy_end = 0, machine_total_end = 0;
  if (machine_cpu && ReadMachineCpu(&machine_busy_end, &machine_total_end) &&
      machine_total_end > machine_total_start) {
    r.machine_busy_pct = 100.0 * static_cast<double>(machine_busy_end - machine_busy_start) /
                         static_cast<double>(machine_total_end - machine_total_start);
  }
  r.machine_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Collect, then leave.
  std::vector<AttendeeStats> all;
  for (auto& w : workers) {
    auto part = w->Call([&w, &r] {
      std::vector<AttendeeStats> v;
      for (auto& a : w->attendees()) v.push_back(a->stats());
      for (auto& a : w->attendees()) a->Leave();
      r.client_ticks += w->ticks();
      r.client_late_ticks += w->late_ticks();
      r.client_tick_late_max_ms = std::max(r.client_tick_late_max_ms, w->late_max_ms());
      return v;
    });
    if (part) all.insert(all.end(), part->begin(), part->end());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (auto& w : workers) w->Stop();

  std::vector<double> jitter, m2e, kf_wait, first_frame;
  std::vector<std::pair<double, double>> m2e_at;  // (s since the start, mouth-to-ear ms)
  uint64_t presence_frames = 0, presence_heard = 0;
  for (const AttendeeStats& s : all) {
    r.joins_attempted += s.joins_attempted;
    r.joins_ok += s.joins_ok;
    for (const std::string& f : s.failures) r.failures[f]++;
    r.join_ms_values.insert(r.join_ms_values.end(), s.join_ms.begin(), s.join_ms.end());
    r.audio_sent += s.audio_sent;
    r.audio_impaired += s.audio_impaired;
    r.audio_received += s.audio_received;
    r.audio_expected += s.audio_expected;
    r.audio_downlink_impaired += s.audio_downlink_impaired;
    r.client_rtp_received += s.rtp_received;
    r.client_video_rtp_received += s.video_rtp_received;
    r.video_stream_seconds += s.video_stream_seconds;
    std::map<uint32_t, int> width;  // the last decoded width of each received stream
    for (const WidthChange& c : s.video_width_changes) width[c.ssrc] = c.width;
    for (const auto& [ssrc, w] : width) r.video_widths_at_end[w]++;
    if (s.audio_received > 0) jitter.push_back(s.jitter_ms);
    m2e.insert(m2e.end(), s.mouth_to_ear_ms.begin(), s.mouth_to_ear_ms.end());
    for (size_t k = 0; k < s.mouth_to_ear_ms.size() && k < s.mouth_to_ear_at_us.size(); ++k)
      m2e_at.push_back(
          {static_cast<double>(s.mouth_to_ear_at_us[k] - t0_us) / 1e6, s.mouth_to_ear_ms[k]});
    r.analysed_frames += s.analysed_frames;
    r.mix_minus_violations += s.mix_minus_violations;
    presence_frames += s.presence_frames;
    presence_heard += s.presence_heard;
    r.data_sent += s.data_sent;
    r.data_received += s.data_received;
    r.data_throttled += s.data_throttled;
    r.mute_toggles += s.mute_toggles;
    r.leaves += s.leaves;
    r.video_frames_sent += s.video_frames_sent;
    r.video_frames_received += s.video_frames_received;
    r.video_freezes += s.video_freezes;
    r.video_keyframe_requests += s.video_keyframe_requests;
    r.video_retransmissions += s.video_retransmissions;
    r.video_streams_subscribed += s.video_streams_subscribed;
    r.video_frames_expected += s.video_frames_expected;
    r.video_packets_received += s.video_packets_received;
    r.video_packets_recovered += s.video_packets_recovered;
    r.video_nacks_sent += s.video_nacks_sent;
    r.video_plis_sent += s.video_plis_sent;
    r.video_padding_bytes += s.video_padding_bytes;
    kf_wait.insert(kf_wait.end(), s.video_keyframe_wait_ms.begin(), s.video_keyframe_wait_ms.end());
    first_frame.insert(first_frame.end(), s.video_first_frame_ms.begin(),
                       s.video_first_frame_ms.end());
    if (s.downlink_kbps > 0) r.constrained.push_back(Constrain(s, t0_us));
  }
  r.video_keyframe_wait_ms = Distribution::Of(kf_wait);
  r.video_first_frame_ms = Distribution::Of(first_frame);
  // Attendees that never got audio and have no failure recorded timed out.
  const int pending = r.joins_attempted - r.joins_ok - static_cast<int>([&] {
                        size_t n = 0;
                        for (const auto& [k, v] : r.failures) n += static_cast<size_t>(v);
                        return n;
                      }());
  if (pending > 0) r.failures["no mixed audio before the run ended"] += pending;
  r.join_ms = Distribution::Of(r.join_ms_values);
  r.jitter_ms = Distribution::Of(jitter);
  r.mouth_to_ear_ms = Distribution::Of(m2e);
  if (o.delay_until_s > 0) r.burst = AnalyseBurst(m2e_at, o.delay_from_s, o.delay_until_s);
  r.mouth_to_ear_by_5s_ms = MouthToEarByWindow(m2e_at, 5.0);
  r.audio_loss_pct = LossPct(r.audio_expected, r.audio_received);
  r.audio_server_loss_pct = LossPct(r.audio_expected, r.audio_received, r.audio_downlink_impaired);
  r.per_meeting = PerMeeting(all, meeting_count);
  r.talker_presence_pct = presence_frames ? 100.0 * static_cast<double>(presence_heard) /
                                                static_cast<double>(presence_frames)
                                          : -1;
  if (o.talkers > o.mixed_talkers)
    r.notes.push_back("more talkers than the server mixes: presence not checked");
  r.client_cpu_s = cpu_end - cpu_start;
  const double attendee_seconds = static_cast<double>(slots.size()) * std::max(r.ran_s, 0.001);
  r.client_cpu_us_per_attendee_s = r.client_cpu_s * 1e6 / attendee_seconds;
  r.media_attendee_seconds = media_attendee_seconds;
  if (server_start.ok && server_end.ok) {
    r.server_cost = true;
    r.server_cpu_source =
        o.server_pid > 0 ? "/proc/" + std::to_string(o.server_pid) : std::string("/metrics");
    r.server_cpu_s = server_end.cpu - server_start.cpu;
    r.server_rss_mib = server_end.rss_mib;
    r.server_rss_peak_mib = server_end.rss_peak_mib;
    r.server_cpu_us_per_rtp_received =
        r.client_rtp_received > 0
            ? r.server_cpu_s * 1e6 / static_cast<double>(r.client_rtp_received)
            : 0;
    r.server_cpu_us_per_media_attendee_s =
        media_attendee_seconds > 0 ? r.server_cpu_s * 1e6 / media_attendee_seconds : 0;
    r.server_cpu_us_per_video_rtp_received =
        r.client_video_rtp_received > 0
            ? r.server_cpu_s * 1e6 / static_cast<double>(r.client_video_rtp_received)
            : 0;
    r.notes.push_back("server CPU is the whole process over the run (" + r.server_cpu_source + ")");
  }
  if (server_start.metrics && server_end.metrics) {
    r.server_metrics = true;
    r.server_packets_in = server_end.in - server_start.in;
    r.server_packets_out = server_end.out - server_start.out;
    r.mixed_attendee_seconds = mixed_attendee_seconds;
    r.server_cpu_us_per_packet_out =
        r.server_packets_out > 0 ? r.server_cpu_s * 1e6 / r.server_packets_out : 0;
    r.server_cpu_us_per_mixed_attendee_s =
        mixed_attendee_seconds > 0 ? r.server_cpu_s * 1e6 / mixed_attendee_seconds : 0;
  }
  if (trace)
    r.notes.push_back("trace: " + std::to_string(trace->lines()) + " lines in " + o.trace_file);
  JudgeClientHealth(&r, Worker::kLateTickMs);
  r.slo = EvaluateSlo(r, o.objectives);
  return r.Passed() ? 0 : 1;
}

}  // namespace sfu::loadtest

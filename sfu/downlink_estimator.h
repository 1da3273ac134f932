#pragma once
// The bandwidth the SFU may use toward one subscriber (docs/DESIGN.md, "Video SFU";
// draft-ietf-rmcat-gcc §6 for the loss rules, mediasoup/LiveKit for probing before an upgrade).
// Inputs: the video bytes we sent it, the loss its receiver reports give for what we sent (RR:
// lost/expected per interval), and its REMB. Rules:
//   - loss > 10%: the estimate falls to (what we actually sent) x (1 - loss/2);
//   - loss < 2% while we sent at least 80% of the estimate: +8% per report (evidence it fits);
//     less than that (application-limited): no change, nothing was learned;
//   - a REMB that fell (by 5% or more since the last one) to below 85% of what we send is the
//     receiver's congestion signal (its delay-based detector saw a queue building): the estimate
//     falls to it, and a probe in progress failed
//     (a REMB above what we send is ignored: a receive-side estimate cannot exceed ~1.5x what it
//     receives, so it must not hold us back from probing);
//   - probing: when the allocation wants more than the estimate allows, StartProbe(target) makes
//     the caller pad up to target; the first report covering 2 s of probing decides (two
//     receiver reports, enough for a delay-based REMB to see a queue build): loss < 5%
//     raises the estimate to target, else the estimate falls (loss rule) and the next probe waits
//     twice as long (2 s, then 4 s at most).
// Pure: time comes in as arguments. One owner.
#include <algorithm>
#include <cstdint>

namespace sfu {

class DownlinkEstimator {
 public:
  struct Config {
    uint64_t initial_bps =
        2'500'000;  // start generous: a subscriber gets its wanted layers at once
    uint64_t min_bps = 100'000;
    uint64_t max_bps = 20'000'000;
  };
  static constexpr int64_t kProbeMs = 2000;
  static constexpr int64_t kFirstBackoffMs = 2000;
  static constexpr int64_t kMaxBackoffMs = 4000;

  DownlinkEstimator() : DownlinkEstimator(Config{}) {}
  explicit DownlinkEstimator(Config c) : cfg_(c), estimate_(c.initial_bps) {}

  // Video bytes sent toward the subscriber (media, retransmissions and padding).
  void OnSent(size_t bytes, int64_t now_ms) {
    Roll(now_ms);
    bucket_bytes_ += bytes;
    if (probing_) probe_bytes_ += bytes;
  }
  // What we sent over the last full second (bits per second).
  uint64_t sent_bps(int64_t now_ms) {
    Roll(now_ms);
    return last_second_bytes_ * 8;
  }

  // A receiver report's loss over our streams to it: packets lost and expected since its last
  // report. Returns true when the estimate changed.
  bool OnLoss(uint64_t lost, uint64_t expected, int64_t now_ms) {
    if (expected < 10) return false;  // too few packets to judge
    const double loss =
        static_cast<double>(std::min(lost, expected)) / static_cast<double>(expected);
    const uint64_t before = estimate_;
    const uint64_t sent = sent_bps(now_ms);
    if (probing_ && now_ms - probe_start_ms_ >= kProbeMs) {
      probing_ = false;
      if (loss < 0.05) {
        estimate_ = std::max(estimate_, probe_target_);
        backoff_ms_ = kFirstBackoffMs;
        next_probe_ms_ = now_ms + backoff_ms_;
        ++probes_succeeded_;
        return Clamp(before);
      }
      ++probes_failed_;
      backoff_ms_ = std::min(kMaxBackoffMs, backoff_ms_ * 2);
      next_probe_ms_ = now_ms + backoff_ms_;
    }
    if (loss > 0.10) {
      const uint64_t base = std::min<uint64_t>(estimate_, sent > 0 ? sent : estimate_);
      estimate_ = static_cast<uint64_t>(static_cast<double>(base) * (1.0 - loss / 2));
      next_probe_ms_ = std::max(next_probe_ms_, now_ms + backoff_ms_);
    } else if (loss < 0.02 && sent >= estimate_ * 8 / 10) {
      estimate_ = estimate_ * 108 / 100;
    }
    return Clamp(before);
  }

  bool OnRemb(uint64_t bps, int64_t now_ms) {
    const uint64_t before = estimate_;
    const uint64_t sent = sent_bps(now_ms);
    const uint64_t previous = last_remb_;
    last_remb_ = bps;
    // Only a falling REMB is a congestion signal: a receive-side estimate climbs slowly (8%/s)
    // after a drop and lags behind a successful probe without meaning anything.
    if (sent == 0 || bps >= sent * 85 / 100 || previous == 0 || bps >= previous * 95 / 100)
      return false;
    if (probing_) {  // the probe congested the receiver: it failed
      probing_ = false;
      ++probes_failed_;
      backoff_ms_ = std::min(kMaxBackoffMs, backoff_ms_ * 2);
      next_probe_ms_ = now_ms + backoff_ms_;
    }
    if (bps < estimate_) estimate_ = bps;
    return Clamp(before);
  }

  // Probing: may a probe toward `target_bps` start now? The caller pads up to probe_target()
  // while probing() until a report ends it.
  bool MayProbe(int64_t now_ms) const { return !probing_ && now_ms >= next_probe_ms_; }
  void StartProbe(uint64_t target_bps, int64_t now_ms) {
    probing_ = true;
    probe_target_ = std::min(target_bps, cfg_.max_bps);
    probe_start_ms_ = now_ms;
    probe_bytes_ = 0;
  }
  // A probe that no report ended within 5 s (the receiver stopped reporting) is abandoned.
  void ExpireProbe(int64_t now_ms) {
    if (probing_ && now_ms - probe_start_ms_ > 5000) {
      probing_ = false;
      ++probes_failed_;
      next_probe_ms_ = now_ms + backoff_ms_;
    }
  }
  bool probing() const { return probing_; }
  uint64_t probe_target() const { return probe_target_; }
  int64_t probe_start_ms() const { return probe_start_ms_; }
  uint64_t probe_sent_bytes() const { return probe_bytes_; }  // since the probe started

  uint64_t estimate_bps() const { return estimate_; }
  uint64_t probes_succeeded() const { return probes_succeeded_; }
  uint64_t probes_failed() const { return probes_failed_; }

 private:
  void Roll(int64_t now_ms) {
    if (bucket_start_ms_ < 0) bucket_start_ms_ = now_ms;
    if (now_ms - bucket_start_ms_ < 1000) return;
    // A second (or more) passed: the bucket becomes the last full second.
    last_second_bytes_ = now_ms - bucket_start_ms_ < 2000 ? bucket_bytes_ : 0;
    bucket_bytes_ = 0;
    bucket_start_ms_ = now_ms;
  }
  bool Clamp(uint64_t before) {
    estimate_ = std::clamp(estimate_, cfg_.min_bps, cfg_.max_bps);
    return estimate_ != before;
  }

  Config cfg_;
  uint64_t estimate_;
  uint64_t last_remb_ = 0;
  int64_t bucket_start_ms_ = -1;
  uint64_t bucket_bytes_ = 0;
  uint64_t last_second_bytes_ = 0;
  bool probing_ = false;
  uint64_t probe_target_ = 0;
  int64_t probe_start_ms_ = 0;
  uint64_t probe_bytes_ = 0;
  int64_t next_probe_ms_ = 0;
  int64_t backoff_ms_ = kFirstBackoffMs;
  uint64_t probes_succeeded_ = 0, probes_failed_ = 0;
};

}  // namespace sfu

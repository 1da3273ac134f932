#include "loadtest/trace.h"

#include <boost/json.hpp>

namespace sfu::loadtest {

std::shared_ptr<TraceSink> TraceSink::Open(const std::string& path, std::string* error) {
  std::shared_ptr<TraceSink> t(new TraceSink());
  t->out_.open(path, std::ios::trunc);
  if (!t->out_) {
    *error = "--trace: cannot write " + path;
    return nullptr;
  }
  t->t0_ = std::chrono::steady_clock::now();
  return t;
}

void TraceSink::Write(boost::json::object line) {
  std::lock_guard<std::mutex> lock(mu_);
  boost::json::object o;
  o["t_us"] =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0_)
          .count();
  for (auto& kv : line) o[kv.key()] = std::move(kv.value());
  out_ << boost::json::serialize(o) << '\n';
  out_.flush();
  ++lines_;
}

uint64_t TraceSink::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

}  // namespace sfu::loadtest

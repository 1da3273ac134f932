#include "signaling/store/redis_client.h"

#include <hiredis/hiredis.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "base/clock.h"
#include "signaling/api/crypto_util.h"

namespace sfu::store {
namespace {

timeval Tv(int ms) {
  timeval tv;
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return tv;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  if (!r) return out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  return api::HexEncode(std::string_view(reinterpret_cast<const char*>(d), sizeof d));
}

// hiredis sends with write(2): writing to a connection Redis has closed raises SIGPIPE, and the
// process does not ignore it (its own sockets send with MSG_NOSIGNAL, as in
// transport/tcp/stream_server.cc), so a Redis restart would kill the server. SIGPIPE is blocked
// for the duration of a call and one it raised is discarded; the write fails with EPIPE and the
// call throws StoreUnavailable like any lost connection.
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        sigtimedwait(&pipe_, nullptr, &zero);
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
  ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

}  // namespace

std::vector<std::string> RedisReply::Strings() const {
  std::vector<std::string> out;
  for (const RedisReply& e : elements) out.push_back(e.str);
  return out;
}

std::vector<std::string> RedisClient::EvalCommand(const std::string& script,
                                                  const std::vector<std::string>& keys,
                                                  const std::vector<std::string>& args) {
  std::vector<std::string> c = {"EVAL", script, std::to_string(keys.size())};
  c.insert(c.end(), keys.begin(), keys.end());
  c.insert(c.end(), args.begin(), args.end());
  return c;
}

int64_t RedisReply::AsInt() const {
  if (type == Type::kInteger) return integer;
  if (type != Type::kString) return 0;
  int64_t v = 0;
  std::from_chars(str.data(), str.data() + str.size(), v);
  return v;
}

RedisClient::RedisClient(RedisAddress address, RedisTimeouts timeouts)
    : address_(std::move(address)), timeouts_(timeouts) {}

RedisClient::~RedisClient() {
  if (ctx_) redisFree(ctx_);
}

std::unique_ptr<RedisClient> RedisClient::Connect(const RedisAddress& address,
                                                  RedisTimeouts timeouts, std::string* error) {
  std::unique_ptr<RedisClient> c(new RedisClient(address, timeouts));
  if (!c->Open(error)) return nullptr;
  return c;
}

bool RedisClient::Open(std::string* error) {
  ScopedSigpipeBlock no_sigpipe;
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  const timeval ct = Tv(timeouts_.connect_ms);
  redisContext* c = address_.unix_path.empty()
                        ? redisConnectWithTimeout(address_.host.c_str(), address_.port, ct)
                        : redisConnectUnixWithTimeout(address_.unix_path.c_str(), ct);
  if (!c || c->err) {
    *error = "cannot connect to Redis at " + address_.Describe() + ": " +
             (c ? std::string(c->errstr) : std::string("out of memory"));
    if (c) redisFree(c);
    return false;
  }
  redisSetTimeout(c, Tv(timeouts_.command_ms));
  ctx_ = c;
  auto check = [&](const std::vector<std::string>& argv, const char* what) {
    std::vector<const char*> ptrs;
    std::vector<size_t> lens;
    for (const std::string& s : argv) {
      ptrs.push_back(s.data());
      lens.push_back(s.size());
    }
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()));
    const RedisReply reply = Convert(r);
    if (r) freeReplyObject(r);
    if (!r || reply.type == RedisReply::Type::kError) {
      *error = std::string(what) + " failed on Redis at " + address_.Describe() + ": " +
               (r ? reply.str : std::string(ctx_->errstr));
      redisFree(ctx_);
      ctx_ = nullptr;
      return false;
    }
    return true;
  };
  if (!address_.password.empty()) {
    std::vector<std::string> auth = {"AUTH", address_.password};
    if (!address_.user.empty()) auth.insert(auth.begin() + 1, address_.user);
    if (!check(auth, "AUTH")) return false;
  }
  if (address_.db != 0 && !check({"SELECT", std::to_string(address_.db)}, "SELECT")) return false;
  return check({"PING"}, "PING");
}

void RedisClient::EnsureConnected() {
  if (ctx_) return;
  const int64_t now = base::SystemClock().NowSteadyMs();
  if (now < next_attempt_ms_) {
    ++failures_;
    throw StoreUnavailable("Redis at " + address_.Describe() + " is unavailable");
  }
  std::string error;
  if (!Open(&error)) {
    int64_t interval = timeouts_.reconnect_interval_ms;
    for (int i = 0; i < failed_attempts_ && interval < timeouts_.max_reconnect_interval_ms; ++i)
      interval *= 2;
    interval = std::min<int64_t>(interval, timeouts_.max_reconnect_interval_ms);
    ++failed_attempts_;
    next_attempt_ms_ = base::SystemClock().NowSteadyMs() + interval;
    ++failures_;
    throw StoreUnavailable(error);
  }
  failed_attempts_ = 0;
}

void RedisClient::Lost(const std::string& what) {
  std::string why = ctx_ && ctx_->errstr[0] ? ctx_->errstr : "connection lost";
  if (ctx_) {
    redisFree(ctx_);
    ctx_ = nullptr;
  }
  next_attempt_ms_ = 0;  // the next call tries once at once
  ++failures_;
  throw StoreUnavailable("Redis at " + address_.Describe() + ": " + what + ": " + why);
}

std::vector<RedisReply> RedisClient::Pipeline(const std::vector<std::vector<std::string>>& cmds) {
  EnsureConnected();
  ScopedSigpipeBlock no_sigpipe;
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const auto& argv : cmds) {
    ptrs.clear();
    lens.clear();
    for (const std::string& s : argv) {
      ptrs.push_back(s.data());
      lens.push_back(s.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), ptrs.data(), lens.data()) !=
        REDIS_OK)
      Lost("sending a command");
  }
  ++round_trips_;
  commands_ += cmds.size();
  std::vector<RedisReply> out;
  out.reserve(cmds.size());
  for (size_t i = 0; i < cmds.size(); ++i) {
    void* r = nullptr;
    if (redisGetReply(ctx_, &r) != REDIS_OK || !r) Lost("reading a reply");
    out.push_back(Convert(static_cast<redisReply*>(r)));
    freeReplyObject(r);
  }
  return out;
}

RedisReply RedisClient::Command(const std::vector<std::string>& argv) {
  RedisReply r = std::move(Pipeline({argv})[0]);
  if (r.type == RedisReply::Type::kError) throw StoreError("Redis " + argv[0] + ": " + r.str);
  return r;
}

std::vector<RedisReply> RedisClient::Transaction(
    const std::vector<std::vector<std::string>>& cmds) {
  std::vector<std::vector<std::string>> all;
  all.reserve(cmds.size() + 2);
  all.push_back({"MULTI"});
  for (const auto& c : cmds) all.push_back(c);
  all.push_back({"EXEC"});
  std::vector<RedisReply> replies = Pipeline(all);
  RedisReply& exec = replies.back();
  if (exec.type != RedisReply::Type::kArray) {
    for (const RedisReply& r : replies)
      if (r.type == RedisReply::Type::kError) throw StoreError("Redis MULTI/EXEC: " + r.str);
    throw StoreError("Redis MULTI/EXEC was aborted");
  }
  for (const RedisReply& r : exec.elements)
    if (r.type == RedisReply::Type::kError) throw StoreError("Redis MULTI/EXEC: " + r.str);
  return std::move(exec.elements);
}

RedisReply RedisClient::Eval(const std::string& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVALSHA", Sha1Hex(script), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  RedisReply r = std::move(Pipeline({argv})[0]);
  if (r.type == RedisReply::Type::kError && r.str.rfind("NOSCRIPT", 0) == 0) {
    argv[0] = "EVAL";
    argv[1] = script;
    r = std::move(Pipeline({argv})[0]);
  }
  if (r.type == RedisReply::Type::kError) throw StoreError("Redis script: " + r.str);
  return r;
}

}  // namespace sfu::store

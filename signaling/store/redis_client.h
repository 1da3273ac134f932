#pragma once
// A blocking Redis connection for the control plane (docs/DESIGN.md, "Cluster mode"): commands
// as argument vectors (binary-safe, nothing is formatted into a command string), pipelines,
// MULTI/EXEC and Lua scripts by SHA1 (EVALSHA, EVAL on NOSCRIPT). Hot paths never use it.
//
// Thread: one owner. Not thread-safe.
// Errors: a lost or refused connection throws StoreUnavailable (nothing is retried inside a
// call; the next call reconnects, at most one attempt per reconnect interval (backing off), so a
// Redis that is down costs callers a refused connect, not a timeout each); an error reply throws
// StoreError.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/store/meeting_store.h"
#include "signaling/store/redis_codec.h"

struct redisContext;

namespace sfu::store {

struct RedisReply {
  enum class Type { kNil, kString, kInteger, kArray, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool nil() const { return type == Type::kNil; }
  // The string elements of an array reply (a list of keys, members, ids).
  std::vector<std::string> Strings() const;
  // The integer of a kInteger reply or a decimal kString; 0 otherwise.
  int64_t AsInt() const;
};

struct RedisTimeouts {
  // The control thread waits at most this long for Redis; a Redis on the same network answers in
  // well under a millisecond.
  int connect_ms = 500;
  int command_ms = 1000;
  // After a failed reconnect the next is tried this much later, doubling with each further
  // failure up to max_reconnect_interval_ms: a Redis host that does not even refuse (each attempt
  // then waits connect_ms) costs the control thread at most ~12 % of its time.
  int reconnect_interval_ms = 500;
  int max_reconnect_interval_ms = 4000;
};

class RedisClient {
 public:
  // Connects and checks the server answers (AUTH, SELECT, PING). nullptr with *error set.
  static std::unique_ptr<RedisClient> Connect(const RedisAddress& address, RedisTimeouts timeouts,
                                              std::string* error);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  RedisReply Command(const std::vector<std::string>& argv);
  // Sends every command, then reads every reply (one round trip). Error replies are returned,
  // not thrown.
  std::vector<RedisReply> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // MULTI, the commands, EXEC in one round trip: the replies of the commands, all applied or
  // none (a command error aborts nothing in Redis, so the scripts here only queue valid ones).
  std::vector<RedisReply> Transaction(const std::vector<std::vector<std::string>>& commands);
  // A script as a command that can be queued in a MULTI/EXEC (EVAL with its text).
  static std::vector<std::string> EvalCommand(const std::string& script,
                                              const std::vector<std::string>& keys,
                                              const std::vector<std::string>& args);
  // Runs a Lua script (atomic in Redis) by its SHA1, loading it on NOSCRIPT.
  RedisReply Eval(const std::string& script, const std::vector<std::string>& keys,
                  const std::vector<std::string>& args);

  const RedisAddress& address() const { return address_; }
  // Round trips made so far (a pipeline or transaction counts one), for the ops-per-join figures
  // of docs/SCALING.md.
  uint64_t round_trips() const { return round_trips_; }
  uint64_t commands() const { return commands_; }
  // Calls that found Redis unreachable or lost the connection (StoreUnavailable thrown).
  uint64_t failures() const { return failures_; }
  bool connected() const { return ctx_ != nullptr; }

 private:
  RedisClient(RedisAddress address, RedisTimeouts timeouts);
  bool Open(std::string* error);
  void EnsureConnected();
  [[noreturn]] void Lost(const std::string& what);

  RedisAddress address_;
  RedisTimeouts timeouts_;
  redisContext* ctx_ = nullptr;
  int64_t next_attempt_ms_ = 0;  // steady clock
  int failed_attempts_ = 0;      // consecutive failed reconnects
  uint64_t round_trips_ = 0;
  uint64_t commands_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace sfu::store

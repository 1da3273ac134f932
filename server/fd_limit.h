#pragma once
// The process's descriptor limit and the HTTP connection cap that fits under it. Every HTTP
// connection, WebSocket, shard socket and database file is a descriptor; a listener that runs out
// gets EMFILE from accept (signaling/http/http_server.cc backs off, but nobody is served).

#include <cstddef>
#include <cstdint>
#include <string>

namespace sfu::server {

struct FdLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool raised = false;  // the soft limit was raised to the hard one
};

// Raises RLIMIT_NOFILE's soft limit to its hard limit (capped at 1,048,576) and reports both.
FdLimit RaiseFdLimit();

// The HTTP connection cap for a descriptor limit: at most a quarter of what is left after 256
// descriptors for shards, the store and logs, so WebSockets (not counted by the HTTP cap) keep
// the other three quarters. Never below 16, never above what was asked. Pure.
size_t HttpConnectionCap(size_t requested, uint64_t fd_soft_limit);

}  // namespace sfu::server

#pragma once
// Assembles the server: store, control API, HTTP listener and metrics on the control thread;
// shards for media. Run() blocks until SIGINT/SIGTERM and shuts down cleanly.

#include "server/server_config.h"

namespace sfu::server {

// Returns the process exit code: 0 after a clean shutdown, 2 when startup failed (the reason
// is logged at level=error first).
int RunServer(const ServerConfig& config);

}  // namespace sfu::server

#pragma once
// sfu-server configuration: flags, SFU_* environment variables and an optional config file
// (key = value lines with the flag names), in that order of precedence. Every setting has an
// embedded default, so the server runs with no arguments at all.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/log.h"

namespace sfu::server {

struct ServerConfig {
  std::string listen_host = "0.0.0.0";
  uint16_t listen_port = 8080;
  uint16_t media_port = 3478;  // shard i uses media_port + i
  int shards = 0;              // 0: one per core
  std::string data_dir = "./sfu-data";
  std::string public_url;                 // derived from the listen address when empty
  std::vector<std::string> announce_ips;  // ICE candidate addresses; default 127.0.0.1
  // --announce-ip auto: announce_ips is empty after parsing and filled by RunServer from this
  // host's interface addresses (server/interface_addresses.h).
  bool announce_auto = false;
  std::map<std::string, std::string, std::less<>> api_keys;
  bool unsafe_unsigned_api = false;  // unsigned API although the public URL is not loopback
  base::LogLevel log_level = base::LogLevel::kInfo;
  int meeting_idle_timeout_s = 300;
  int max_attendees = 250;
  double api_rate = 10;
  double api_burst = 20;
  size_t max_body_bytes = 64 * 1024;
  // HTTP listener limits (signaling/http/http_server.h); max_http_connections is lowered at start
  // to stay well below the process's descriptor limit.
  size_t max_http_connections = 1024;
  size_t max_http_per_address =
      256;  // 0: none (behind a reverse proxy every client is one address)
  int http_header_timeout_s = 5;
  std::string default_region = "us-east-1";
  std::string config_file;
  std::string tls_cert_file;  // PEM; with tls_key_file the listener speaks https/wss only
  std::string tls_key_file;
  // --tls-self-signed: RunServer makes (or reuses) a self-signed certificate in the data dir for
  // the announced addresses and this host's name, and sets tls_cert_file/tls_key_file to it.
  bool tls_self_signed = false;
  // The meeting app (web/app at /, POST /app/join): on by default; an optional shared password;
  // joins per minute per client address (0: no limit).
  bool app = true;
  std::string app_password;
  double app_rate = 20;
  // Audio mixer (per meeting): talkers mixed per tick, Opus bitrate and complexity.
  int mixer_talkers = 3;
  int audio_bitrate_kbps = 32;
  int audio_complexity = 5;
  int max_video_senders = 25;  // cameras and content shares per meeting
  bool udp_gso = true;
  bool ice_tcp = true;  // ICE-TCP passive candidates on each shard's media port number
  // Relaying for clients that cannot reach the media ports (docs/DESIGN.md, "Media over TCP and
  // TLS"): the embedded TURN server (TCP and TLS on one port per shard: turn_port + i), or an
  // operator's own (turn_uris + turn_secret, the TURN REST credential scheme); who is told.
  size_t stream_max_per_address = 64;  // ICE-TCP and TURN connections per remote address (0: none)
  bool turn = true;
  int turn_port = -1;                // -1: 5349, or ephemeral when media_port is 0
  std::string turn_policy = "auto";  // auto | always | never
  std::vector<std::string> turn_uris;
  std::string turn_secret;
  bool echo_endpoint = false;
  int shard_max_attendees = 0;   // attendees per shard at which it takes no more (0: no cap)
  int overload_late_ticks = 25;  // of the last 100 ticks late: the shard is overloaded (0: off)  //
                                 // GET/POST /echo (unauthenticated: off by default)         //
                                 // media sends as UDP GSO messages where the kernel takes them

  // Meeting events for the application (docs/EVENTS.md): POSTed to each webhook (http:// only),
  // signed with events_secret; at most events_queue_max undelivered per webhook.
  std::vector<std::string> events_webhooks;
  std::string events_secret;
  int events_queue_max = 10'000;

  // Cluster mode (docs/DESIGN.md, "Cluster mode"): state in Redis shared by every node; this
  // node's id (stable across restarts: a restarted node keeps its meetings), the attendees it
  // takes, and how long without a heartbeat makes a node dead. drain: a one-shot command that
  // asks the running node node_id to drain, then exits.
  std::string redis_url;
  std::string node_id;
  int node_capacity = 0;  // 0: 500 per shard
  int node_timeout_s = 10;
  bool drain = false;
  // Where replica meetings go: auto, spread or primary (docs/DESIGN.md, "Replica meetings").
  std::string replica_placement = "auto";

  // Derived by Finalize().
  bool public_url_given = false;  // --public-url was set (else derived from --listen)
  std::string http_base;          // public URL without trailing slash
  std::string ws_base;            // same with ws/wss
  std::string public_host;        // host[:port] of the public URL
};

struct ConfigResult {
  std::optional<ServerConfig> config;
  std::string message;  // error text, or the --help/--version text
  int exit_code = 0;    // when config is empty: 0 for --help/--version, 2 for errors
};

// env: "NAME=value" strings (e.g. environ). Pure apart from reading config_file when given.
ConfigResult ParseServerConfig(int argc, const char* const* argv, const char* const* env);

// Human-readable effective configuration, one "key: value" per line (secrets hidden).
std::string DescribeConfig(const ServerConfig& c);

}  // namespace sfu::server

#include "server/server_config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "signaling/api/meeting_event.h"

namespace sfu::server {
namespace po = boost::program_options;
namespace {

constexpr const char* kUsage =
    "Usage: sfu-server [options]\n"
    "A self-hosted media server for Amazon Chime SDK clients: Meetings control API,\n"
    "signaling WebSocket, ICE-lite/DTLS-SRTP media, audio mixer and video SFU.\n"
    "Every option can also be set by an environment variable SFU_<NAME> (upper case,\n"
    "dashes as underscores, e.g. SFU_MEDIA_PORT=4000; repeatable options take a\n"
    "comma-separated list) or in a --config file of 'name = value' lines.\n"
    "Precedence: command line, then environment, then config file, then defaults.\n";

std::string SplitHostPort(const std::string& s, std::string* host, uint16_t* port) {
  std::string h, p;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return "expected [IPv6]:PORT";
    h = s.substr(1, close - 1);
    p = s.substr(close + 2);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string::npos) return "expected HOST:PORT";
    h = s.substr(0, colon);
    p = s.substr(colon + 1);
  }
  if (h.empty()) h = "0.0.0.0";
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(p) > 65535)
    return "port must be a number from 0 to 65535";
  *host = h;
  *port = static_cast<uint16_t>(std::stoi(p));
  return {};
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::vector<std::string> SplitList(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const std::string& item : in) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      while (!part.empty() && part.front() == ' ') part.erase(part.begin());
      while (!part.empty() && part.back() == ' ') part.pop_back();
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

// "host:port", "[v6]:port" or "host" -> the host without brackets.
std::string HostOf(const std::string& host_port) {
  if (!host_port.empty() && host_port[0] == '[') {
    const size_t end = host_port.find(']');
    return end == std::string::npos ? host_port : host_port.substr(1, end - 1);
  }
  const size_t colon = host_port.find(':');
  return colon == std::string::npos ? host_port : host_port.substr(0, colon);
}

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return ::inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

std::string Finalize(ServerConfig& c) {
  if (c.shards == 0) c.shards = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (c.shards < 1 || c.shards > 256) return "--shards must be from 1 to 256";
  if (c.media_port != 0 && static_cast<int>(c.media_port) + c.shards - 1 > 65535)
    return "--media-port plus the number of shards must stay below 65536";
  if (std::find(c.announce_ips.begin(), c.announce_ips.end(), "auto") != c.announce_ips.end()) {
    // Alone only: auto's list is the host's, read at start; an extra address (a NAT's public
    // one) is better said by listing every address, which also keeps their order explicit.
    if (c.announce_ips.size() > 1) {
      std::string given;
      for (const std::string& ip : c.announce_ips) given += (given.empty() ? "" : ", ") + ip;
      return "--announce-ip auto must be given alone, not with other addresses (got " + given +
             "; repeated values from the command line, SFU_ANNOUNCE_IP and the config file add "
             "up): give auto alone, or list every address to announce";
    }
    c.announce_auto = true;
    c.announce_ips.clear();
  } else if (c.announce_ips.empty()) {
    c.announce_ips.push_back("127.0.0.1");
  }
  for (const auto& ip : c.announce_ips)
    if (!IsIp(ip)) return "--announce-ip '" + ip + "' is not an IPv4 or IPv6 address, nor auto";
  if (c.turn_policy != "auto" && c.turn_policy != "always" && c.turn_policy != "never")
    return "--turn-policy must be auto, always or never";
  if (c.turn_uris.empty() != c.turn_secret.empty())
    return "--turn-uri and --turn-secret go together (an external TURN server and its secret)";
  for (const std::string& uri : c.turn_uris) {
    if (uri.rfind("turn:", 0) != 0 && uri.rfind("turns:", 0) != 0)
      return "--turn-uri '" + uri + "' must start with turn: or turns:";
  }
  if (c.turn_port < -1 || c.turn_port > 65535) return "--turn-port must be from 0 to 65535";
  if (c.turn_port == -1) c.turn_port = c.media_port == 0 ? 0 : 5349;
  if (c.turn_port != 0 && c.turn_port + c.shards - 1 > 65535)
    return "--turn-port plus the number of shards must stay below 65536";
  if (c.node_capacity == 0) c.node_capacity = 500 * c.shards;
  if (c.node_id.empty() && !c.redis_url.empty()) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
      std::snprintf(host, sizeof host, "node");
    for (char* p = host; *p; ++p) {
      if (!std::isalnum(static_cast<unsigned char>(*p)) && *p != '-' && *p != '.') *p = '_';
    }
    c.node_id = std::string(host) + "-" + std::to_string(c.listen_port);
  }
  if (c.node_timeout_s < 2 || c.node_timeout_s > 600)
    return "--node-timeout must be from 2 to 600 seconds";
  if (c.node_capacity < 0 || c.node_capacity > 1'000'000)
    return "--node-capacity must be from 0 (500 per shard) to 1000000";
  if (c.replica_placement != "auto" && c.replica_placement != "spread" &&
      c.replica_placement != "primary")
    return "--replica-placement must be auto, spread or primary";
  if (c.drain && c.redis_url.empty())
    return "--drain asks a node of a cluster to drain: give --redis URL and --node-id ID";
  if (!c.redis_url.empty() && c.redis_url.rfind("redis://", 0) != 0 &&
      c.redis_url.rfind("unix://", 0) != 0)
    return "--redis must be redis://[:password@]host[:port][/db] or unix:///path";
  for (char ch : c.node_id) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
      return "--node-id may hold letters, digits, '-', '_' and '.' only";
  }
  if (c.node_id.size() > 64) return "--node-id is at most 64 characters";
  if (c.meeting_idle_timeout_s < 1) return "--meeting-idle-timeout must be at least 1 second";
  if (c.max_attendees < 1 || c.max_attendees > 10000)
    return "--max-attendees must be from 1 to 10000";
  if (c.api_rate < 0 || c.api_burst < 1) return "--api-rate must be >= 0 and --api-burst >= 1";
  if (c.max_body_bytes < 1024 || c.max_body_bytes > 16 * 1024 * 1024)
    return "--max-body-bytes must be from 1024 to 16777216";
  if (c.max_http_connections < 16 || c.max_http_connections > 1'000'000)
    return "--http-max-connections must be from 16 to 1000000";
  if (c.http_header_timeout_s < 1 || c.http_header_timeout_s > 300)
    return "--http-header-timeout must be from 1 to 300 seconds";
  if (c.shard_max_attendees < 0 || c.shard_max_attendees > 100000)
    return "--shard-max-attendees must be from 0 (no cap) to 100000";
  if (c.overload_late_ticks < 0 || c.overload_late_ticks > 100)
    return "--overload-late-ticks must be from 0 (off) to 100";
  if (c.mixer_talkers < 1 || c.mixer_talkers > 10) return "--mixer-talkers must be from 1 to 10";
  if (c.audio_bitrate_kbps < 16 || c.audio_bitrate_kbps > 64)
    return "--audio-bitrate must be from 16 to 64 (kb/s)";
  if (c.audio_complexity < 0 || c.audio_complexity > 10)
    return "--audio-complexity must be from 0 to 10";
  if (c.max_video_senders < 0 || c.max_video_senders > 1000)
    return "--max-video-senders must be from 0 to 1000";
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    return "--tls-cert and --tls-key go together (give both or neither)";
  if (c.tls_self_signed && !c.tls_cert_file.empty())
    return "--tls-self-signed and --tls-cert/--tls-key exclude each other: a real certificate, or "
           "a self-signed one made in the data dir";
  if (c.app_rate < 0 || c.app_rate > 100000)
    return "--app-rate must be from 0 (no limit) to 100000 joins per minute";
  if (c.app_password.size() > 256) return "--app-password must be at most 256 bytes";
  for (const std::string* f : {&c.tls_cert_file, &c.tls_key_file}) {
    if (!f->empty() && !std::ifstream(*f)) return "cannot read TLS file " + *f;
  }
  if (c.events_queue_max < 1 || c.events_queue_max > 1'000'000)
    return "--events-queue-max must be from 1 to 1000000";
  for (size_t i = 0; i < c.events_webhooks.size(); ++i) {
    std::string why;
    if (!api::ParseWebhookUrl(c.events_webhooks[i], &why))
      return "--events-webhook '" + c.events_webhooks[i] + "': " + why;
    for (size_t j = 0; j < i; ++j)
      if (c.events_webhooks[j] == c.events_webhooks[i])
        return "--events-webhook '" + c.events_webhooks[i] + "' is given twice";
  }
  if (!c.events_webhooks.empty() && c.events_secret.size() < 16) {
    return c.events_secret.empty()
               ? "--events-webhook needs --events-secret (at least 16 characters): receivers "
                 "check the X-Sfu-Signature HMAC with it"
               : "--events-secret must be at least 16 characters";
  }
  c.public_url_given = !c.public_url.empty();
  const bool tls = !c.tls_cert_file.empty() || c.tls_self_signed;
  if (c.public_url.empty()) {
    std::string host = c.listen_host;
    if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    c.public_url =
        std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(c.listen_port);
  }
  std::string url = c.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.find('?') != std::string::npos || url.find('#') != std::string::npos)
    return "--public-url must not contain a query string";
  if (url.rfind("http://", 0) == 0) {
    c.ws_base = "ws://" + url.substr(7);
    c.public_host = url.substr(7);
  } else if (url.rfind("https://", 0) == 0) {
    c.ws_base = "wss://" + url.substr(8);
    c.public_host = url.substr(8);
  } else {
    return "--public-url must start with http:// or https://";
  }
  if (c.public_host.empty() || c.public_host.find('/') != std::string::npos)
    return "--public-url must be scheme://host[:port] with no path";
  c.http_base = url;
  if (c.api_keys.empty() && !c.unsafe_unsigned_api && !IsLoopbackHost(HostOf(c.public_host))) {
    return "--public-url " + url +
           " is not a loopback address, and without --api-key the control API "
           "accepts unsigned requests from any loopback peer - including a reverse proxy on this "
           "host "
           "that forwards the internet to it. Give --api-key KEYID:SECRET (docs/SECURITY.md), or "
           "--unsafe-unsigned-api to accept that risk";
  }
  return {};
}

}  // namespace

ConfigResult ParseServerConfig(int argc, const char* const* argv, const char* const* env) {
  ConfigResult result;
  result.exit_code = 2;
  ServerConfig c;
  std::string listen, log_level, app = "on";
  std::vector<std::string> announce, keys, webhooks, turn_uris;
  int media_port = c.media_port;
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("version", "print the version and exit")
    ("config", po::value(&c.config_file), "read options from this file (name = value lines)")
    ("listen", po::value(&listen)->default_value("0.0.0.0:8080"),
       "HOST:PORT for HTTP (control API, /metrics, health) and WebSocket signaling")
    ("media-port", po::value(&media_port)->default_value(3478),
       "first UDP media port; shard i listens on media-port + i (0: ephemeral, for tests)")
    ("shards", po::value(&c.shards)->default_value(0), "media threads; 0 = one per core")
    ("data-dir", po::value(&c.data_dir)->default_value("./sfu-data"),
       "directory of the SQLite store (meetings, attendees, token secret)")
    ("public-url", po::value(&c.public_url),
       "base URL clients reach this server at, e.g. https://media.example.com; SignalingUrl "
       "and the other MediaPlacement URLs are built from it (default: from --listen)")
    ("announce-ip", po::value(&announce)->composing(),
       "IP address put in ICE candidates (repeatable; default 127.0.0.1 - set it to an address "
       "clients can reach), or auto (alone): this host's interface addresses at start, IPv4 "
       "then IPv6, without loopback, link-local, down or container-bridge interfaces (docker*, "
       "br-*, veth*, virbr*, ...); IPv6 only when --listen binds [::]. Behind NAT, give the "
       "public address instead")
    ("api-key", po::value(&keys)->composing(),
       "KEYID:SECRET accepted for AWS SigV4-signed API calls (repeatable). With none, the API "
       "accepts unsigned requests from loopback only")
    ("unsafe-unsigned-api", po::bool_switch(&c.unsafe_unsigned_api),
       "allow the unsigned control API (no --api-key) with a --public-url that is not loopback. "
       "Unsafe behind a reverse proxy on the same host: every request it forwards is a loopback peer")
    ("log-level", po::value(&log_level)->default_value("info"), "debug, info, warn, error or off")
    ("meeting-idle-timeout", po::value(&c.meeting_idle_timeout_s)->default_value(300),
       "seconds a meeting may go without a connected attendee before it ends")
    ("max-attendees", po::value(&c.max_attendees)->default_value(250), "attendees per meeting")
    ("api-rate", po::value(&c.api_rate)->default_value(10),
       "control API requests per second per caller (0 disables the limit)")
    ("api-burst", po::value(&c.api_burst)->default_value(20), "control API burst per caller")
    ("max-body-bytes", po::value(&c.max_body_bytes)->default_value(64 * 1024),
       "largest accepted HTTP request body")
    ("http-max-connections", po::value(&c.max_http_connections)->default_value(1024),
       "open HTTP connections (before a WebSocket upgrade); past it, 1/8 more are kept for "
       "WebSocket joins and the rest are closed at once. Lowered at start to stay below the "
       "descriptor limit")
    ("http-max-per-address", po::value(&c.max_http_per_address)->default_value(256),
       "open HTTP connections from one client address (IPv6: one /64); more are closed at once. "
       "0 disables (behind a reverse proxy, where every client has the proxy's address)")
    ("http-header-timeout", po::value(&c.http_header_timeout_s)->default_value(5),
       "seconds a new connection has to send its first request header (a deadline: trickled "
       "bytes do not extend it)")
    ("default-region", po::value(&c.default_region)->default_value("us-east-1"),
       "MediaRegion of meetings created without one")
    ("tls-cert", po::value(&c.tls_cert_file),
       "PEM certificate chain: with --tls-key the listener speaks only HTTPS and WSS, and the "
       "default public URL (SignalingUrl) becomes https:// (wss://)")
    ("tls-key", po::value(&c.tls_key_file), "PEM private key for --tls-cert")
    ("tls-self-signed", po::bool_switch(&c.tls_self_signed),
       "serve HTTPS/WSS with a self-signed certificate made in the data dir (reused across "
       "restarts) for the announced addresses, this host's name and localhost: a trial of the "
       "meeting app on a local network, where browsers allow cameras only on https (each asks "
       "once to accept the certificate). Also used by the embedded TURN server")
    ("app", po::value(&app)->default_value("on"),
       "on or off: the meeting app at / (a page on amazon-chime-sdk-js: type a meeting name and "
       "yours, and talk) and its backend POST /app/join, which creates meetings and attendees "
       "for anyone who can reach the listener (docs/SECURITY.md)")
    ("app-password", po::value(&c.app_password),
       "a shared password the meeting app asks for before anyone joins (default: none)")
    ("app-rate", po::value(&c.app_rate)->default_value(20),
       "meeting-app joins per minute per client address (burst the same; 0: no limit)")
    ("mixer-talkers", po::value(&c.mixer_talkers)->default_value(3),
       "loudest talkers mixed per meeting each 20 ms (1-10); each costs one Opus encode per tick")
    ("audio-bitrate", po::value(&c.audio_bitrate_kbps)->default_value(32),
       "Opus bitrate of the mixed audio in kb/s (16-64; mono 48 kHz, in-band FEC on)")
    ("audio-complexity", po::value(&c.audio_complexity)->default_value(5),
       "Opus encoder complexity of the mixed audio (0-10; see docs/PERFORMANCE.md for cost)")
    ("max-video-senders", po::value(&c.max_video_senders)->default_value(25),
       "cameras and content shares per meeting; a sender over the cap is told to go view-only (206)")
    ("overload-late-ticks", po::value(&c.overload_late_ticks)->default_value(25),
       "a shard whose 20 ms ticks start late (> 5 ms) this many times in the last 100 is overloaded: "
       "it takes no new meeting or join (4503), and with every shard overloaded CreateMeeting answers "
       "503. 0 turns it off (e.g. on a machine shared with other heavy work)")
    ("shard-max-attendees", po::value(&c.shard_max_attendees)->default_value(0),
       "attendees per shard at which it counts as overloaded (no new meetings, joins refused with "
       "4503) before its ticks run late: a capacity measured on the machine "
       "(scripts/bench.sh overload). 0: no cap")
    ("redis", po::value(&c.redis_url),
       "cluster mode: keep meetings, attendees, tags, the token secret, idempotency tokens and the "
       "event queue in this Redis (redis://[:password@]host[:port][/db] or unix:///path), shared "
       "by every node; any node answers the API and places new meetings on the node with the most "
       "headroom. Run Redis with appendonly yes (docs/SCALING.md). Default: SQLite in --data-dir, "
       "one node")
    ("node-id", po::value(&c.node_id),
       "cluster mode: this node's id, stable across restarts (a restarted node keeps its "
       "meetings). Default: the host name and the listen port")
    ("node-capacity", po::value(&c.node_capacity)->default_value(0),
       "cluster mode: attendees this node takes; a node at capacity (or overloaded, or "
       "draining) gets no new meetings. 0: 500 per shard")
    ("node-timeout", po::value(&c.node_timeout_s)->default_value(10),
       "cluster mode: seconds without a heartbeat (sent every second) after which a node is dead: "
       "its meetings are ended (MeetingEnded events) and new meetings avoid it")
    ("replica-placement", po::value(&c.replica_placement)->default_value("auto"),
       "cluster mode: where a replica meeting (CreateMeeting with PrimaryMeetingId) goes: auto "
       "(its primary's node while that node is under half its capacity, else the node with the "
       "most headroom), spread (another node whenever one takes meetings), primary (always its "
       "primary's node). A replica on another node gets the primary's media over a node-to-node "
       "cascade link (docs/DESIGN.md, \"Replica meetings\")")
    ("drain", po::bool_switch(&c.drain),
       "cluster mode, one-shot: ask the running node --node-id to drain (take no new meetings, "
       "exit when its last meeting has ended), then exit")
    ("events-webhook", po::value(&webhooks)->composing(),
       "http://HOST[:PORT]/PATH that receives every meeting event (AWS EventBridge shape, "
       "docs/EVENTS.md) as a signed JSON POST, at least once, in order (repeatable)")
    ("events-secret", po::value(&c.events_secret),
       "HMAC-SHA256 key (16+ characters) of the X-Sfu-Signature header of webhook POSTs")
    ("events-queue-max", po::value(&c.events_queue_max)->default_value(10000),
       "undelivered events kept per webhook (in the store); past it the oldest are dropped "
       "(counted in sfu_events_dropped_total)")
    ("echo-endpoint", po::bool_switch(&c.echo_endpoint),
       "serve the connectivity check at /echo (page and POST of an SDP offer). Unauthenticated: "
       "each POST makes a DTLS/SCTP transport, so it is off by default and limited to 1 offer per "
       "second per address (burst 5)")
    ("udp-gso", po::value(&c.udp_gso)->default_value(true),
       "send media as UDP GSO messages (a subscriber's equal-sized packets of one receive batch in "
       "one message; up to 2.2x less CPU per forwarded packet, docs/PERFORMANCE.md); false: one "
       "message per datagram. A kernel that refuses GSO turns it off by itself")
    ("ice-tcp", po::value(&c.ice_tcp)->default_value(true),
       "also listen for ICE over TCP (RFC 6544 passive, RFC 4571 framing) on each shard's media "
       "port number and offer it as a lower-priority candidate, for clients whose network blocks "
       "UDP (docs/DESIGN.md, \"Media over TCP and TLS\")")
    ("stream-max-per-address", po::value(&c.stream_max_per_address)->default_value(64),
       "ICE-TCP and TURN connections one remote address may hold per shard (0: no cap; behind "
       "a NAT many clients share an address). Past it connections are refused and counted in "
       "sfu_shard_stream_connections_total{outcome=\"refused\"}")
    ("turn", po::value(&c.turn)->default_value(true),
       "run the embedded TURN server (RFC 8656 over TCP and TLS on one port per shard) for "
       "clients that cannot reach the media ports at all; it relays only to this server's own "
       "media addresses")
    ("turn-port", po::value(&c.turn_port),
       "first TURN port (shard i listens on PORT+i; TCP and TLS told apart by the first byte). "
       "Default 5349, or ephemeral ports when --media-port is 0; 0: ephemeral")
    ("turn-policy", po::value(&c.turn_policy)->default_value("auto"),
       "who gets TURN credentials in JOIN_ACK (the Chime client then relays everything): auto = "
       "only an attendee whose previous attempt never connected its media (a client that "
       "reaches us directly is never forced through TURN); always; never")
    ("turn-uri", po::value(&turn_uris)->composing(),
       "an external TURN server to hand out instead of the embedded one, e.g. "
       "turns:turn.example.com:443?transport=tcp (repeatable; needs --turn-secret)")
    ("turn-secret", po::value(&c.turn_secret),
       "the external TURN server's shared secret (coturn: static-auth-secret with "
       "use-auth-secret); credentials are the TURN REST scheme: username = expiry:attendeeId, "
       "password = base64(HMAC-SHA1(secret, username))");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    // SFU_MEDIA_PORT -> media-port; unknown SFU_* variables are ignored.
    std::vector<std::string> names;
    for (const auto& opt : desc.options()) names.push_back(opt->long_name());
    std::vector<std::string> env_args;
    for (const char* const* e = env; e && *e; ++e) {
      std::string kv = *e;
      if (kv.rfind("SFU_", 0) != 0) continue;
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string name = kv.substr(4, eq - 4);
      for (char& ch : name) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(ch));
      if (name == "help" || name == "version") continue;
      if (std::find(names.begin(), names.end(), name) == names.end()) continue;
      env_args.push_back("--" + name + "=" + kv.substr(eq + 1));
    }
    std::vector<const char*> env_argv{"env"};
    for (auto& a : env_args) env_argv.push_back(a.c_str());
    po::store(po::command_line_parser(static_cast<int>(env_argv.size()), env_argv.data())
                  .options(desc)
                  .run(),
              vm);
    if (vm.count("config")) {
      const std::string file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in) {
        result.message = "cannot read config file " + file;
        return result;
      }
      po::store(po::parse_config_file(in, desc), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    result.message = std::string(e.what()) + " (see --help)";
    return result;
  }
  if (vm.count("help")) {
    std::ostringstream out;
    out << kUsage << "\n" << desc;
    result.message = out.str();
    result.exit_code = 0;
    return result;
  }
  if (vm.count("version")) {
    result.message = "version";
    result.exit_code = 0;
    return result;
  }
  if (std::string err = SplitHostPort(listen, &c.listen_host, &c.listen_port); !err.empty()) {
    result.message = "--listen '" + listen + "': " + err;
    return result;
  }
  if (media_port < 0 || media_port > 65535) {
    result.message = "--media-port must be from 0 to 65535";
    return result;
  }
  c.media_port = static_cast<uint16_t>(media_port);
  auto level = base::ParseLogLevel(log_level);
  if (!level) {
    result.message = "--log-level must be debug, info, warn, error or off";
    return result;
  }
  c.log_level = *level;
  if (app != "on" && app != "off" && app != "true" && app != "false") {
    result.message = "--app must be on or off";
    return result;
  }
  c.app = app == "on" || app == "true";
  c.announce_ips = SplitList(announce);
  c.events_webhooks = SplitList(webhooks);
  c.turn_uris = SplitList(turn_uris);
  for (const std::string& k : SplitList(keys)) {
    const size_t colon = k.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == k.size()) {
      result.message = "--api-key must be KEYID:SECRET";
      return result;
    }
    c.api_keys[k.substr(0, colon)] = k.substr(colon + 1);
  }
  if (std::string err = Finalize(c); !err.empty()) {
    result.message = err;
    return result;
  }
  result.config = std::move(c);
  result.exit_code = 0;
  return result;
}

std::string DescribeConfig(const ServerConfig& c) {
  std::ostringstream o;
  o << "  listen:               " << c.listen_host << ":" << c.listen_port << "\n"
    << "  public url:           " << c.http_base << "  (signaling " << c.ws_base
    << "/control/<MeetingId>)\n"
    << "  media ports (udp):    " << c.media_port;
  if (c.shards > 1) o << "-" << (c.media_port + c.shards - 1);
  o << "  (" << c.shards << " shard" << (c.shards > 1 ? "s" : "") << ")\n"
    << "  announce ip:          ";
  for (size_t i = 0; i < c.announce_ips.size(); ++i) o << (i ? ", " : "") << c.announce_ips[i];
  if (c.announce_auto) {
    o << (c.announce_ips.empty() ? "auto (this host's interface addresses, read at start)"
                                 : " (--announce-ip auto)");
  }
  o << "\n  data dir:             " << c.data_dir << "\n"
    << "  api keys:             ";
  if (c.api_keys.empty()) {
    o << "none (unsigned requests accepted from loopback only)";
  } else {
    size_t i = 0;
    for (const auto& [id, secret] : c.api_keys) o << (i++ ? ", " : "") << id << ":****";
  }
  o << "\n  api rate limit:       " << c.api_rate << "/s burst " << c.api_burst << " per caller\n"
    << "  max attendees:        " << c.max_attendees << " per meeting\n"
    << "  meeting idle timeout: " << c.meeting_idle_timeout_s << " s\n"
    << "  max body:             " << c.max_body_bytes << " bytes\n"
    << "  http connections:     " << c.max_http_connections << " (+" << c.max_http_connections / 8
    << " for joins), " << c.max_http_per_address << " per address, header within "
    << c.http_header_timeout_s << " s\n"
    << "  default region:       " << c.default_region << "\n"
    << "  log level:            " << base::LogLevelName(c.log_level) << "\n"
    << "  tls:                  "
    << (c.tls_self_signed         ? std::string("on (self-signed, in the data dir)")
        : c.tls_cert_file.empty() ? std::string("off")
                                  : "on (cert " + c.tls_cert_file + ")")
    << "\n"
    << "  meeting app:          "
    << (!c.app
            ? std::string("off")
            : std::string("on (/)") + (c.app_password.empty() ? "" : ", password required") + ", " +
                  (c.app_rate > 0
                       ? std::to_string(static_cast<int>(c.app_rate)) + " joins/min per address"
                       : std::string("no join limit")))
    << "\n"
    << "  mixer:                " << c.mixer_talkers << " talkers, Opus " << c.audio_bitrate_kbps
    << " kb/s, complexity " << c.audio_complexity << "\n"
    << "  video:                " << c.max_video_senders << " senders per meeting\n"
    << "  udp gso:              " << (c.udp_gso ? "on" : "off") << "\n"
    << "  ice-tcp:              " << (c.ice_tcp ? "on" : "off") << "\n"
    << "  turn:                 "
    << (!c.turn_uris.empty() ? "external (" + std::to_string(c.turn_uris.size()) + " uris)"
        : c.turn             ? "embedded, port " + std::to_string(c.turn_port)
                             : std::string("off"))
    << ", policy " << c.turn_policy << "\n"
    << "  overload:             "
    << (c.overload_late_ticks ? std::to_string(c.overload_late_ticks) + " late ticks of 100"
                              : std::string("off"))
    << (c.shard_max_attendees
            ? ", " + std::to_string(c.shard_max_attendees) + " attendees per shard"
            : std::string())
    << "\n"
    << "  state:                "
    << (c.redis_url.empty()
            ? "SQLite in " + c.data_dir
            : "Redis (cluster mode), node " + c.node_id + ", capacity " +
                  std::to_string(c.node_capacity) + " attendees, timeout " +
                  std::to_string(c.node_timeout_s) + " s, replicas " + c.replica_placement)
    << "\n"
    << "  events webhooks:      ";
  if (c.events_webhooks.empty()) o << "none";
  for (size_t i = 0; i < c.events_webhooks.size(); ++i)
    o << (i ? ", " : "") << c.events_webhooks[i];
  if (!c.events_webhooks.empty())
    o << " (signed, at most " << c.events_queue_max << " queued each)";
  o << "\n"
    << "  echo endpoint:        " << (c.echo_endpoint ? "on (/echo, 1 offer/s per address)" : "off")
    << "\n";
  return o.str();
}

}  // namespace sfu::server

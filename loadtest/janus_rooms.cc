#include "loadtest/janus_rooms.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <optional>

#include "loadtest/janus_attendee.h"
#include "loadtest/janus_connection.h"

namespace sfu::loadtest {
namespace json = boost::json;

namespace {

// One session on one handle, driven synchronously on a private io_context.
class Admin {
 public:
  bool Open(const std::string& host, uint16_t port, Target target, std::string* error) {
    JanusConnection::Callbacks cb;
    cb.on_open = [this] { opened_ = true; };
    cb.on_closed = [this](const std::string& why) { closed_ = why; };
    conn_ = JanusConnection::Create(io_, std::move(cb));
    conn_->Connect(host, port, "/");
    if (!RunUntil([this] { return opened_ || !closed_.empty(); }) || !opened_) {
      *error = "cannot reach Janus at ws://" + host + ":" + std::to_string(port) +
               "/: " + (closed_.empty() ? std::string("no answer") : closed_);
      return false;
    }
    auto created = Call(json::object{{"janus", "create"}}, error);
    if (!created) return false;
    session_ = Id(*created);
    auto attached = Call(json::object{{"janus", "attach"},
                                      {"session_id", session_},
                                      {"plugin", JanusAttendee::PluginName(target)}},
                         error);
    if (!attached) return false;
    handle_ = Id(*attached);
    if (!session_ || !handle_) {
      *error = "Janus gave no session or handle (is the plugin loaded?)";
      return false;
    }
    return true;
  }

  // A synchronous plugin request; its plugindata, or nullopt with *error.
  std::optional<json::object> Plugin(json::object body, std::string* error) {
    auto r = Call(json::object{{"janus", "message"},
                               {"session_id", session_},
                               {"handle_id", handle_},
                               {"body", std::move(body)}},
                  error);
    if (!r) return std::nullopt;
    const json::object* d = JanusPluginData(*r);
    if (!d) {
      *error = "no plugin answer";
      return std::nullopt;
    }
    return *d;
  }

  ~Admin() {
    if (conn_ && conn_->open() && session_) {
      conn_->Request(json::object{{"janus", "destroy"}, {"session_id", session_}}, nullptr);
      io_.run_for(std::chrono::milliseconds(100));
    }
    if (conn_) conn_->Close();
    io_.run_for(std::chrono::milliseconds(100));
  }

 private:
  static uint64_t Id(const json::object& m) {
    const json::value* d = m.if_contains("data");
    if (!d || !d->is_object()) return 0;
    const json::value* id = d->as_object().if_contains("id");
    return id && id->is_number() ? id->to_number<uint64_t>() : 0;
  }

  template <class Done>
  bool RunUntil(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(std::chrono::milliseconds(20));
    }
    return done();
  }

  std::optional<json::object> Call(json::object request, std::string* error) {
    std::optional<json::object> reply;
    conn_->Request(std::move(request), [&reply](const json::object& m) { reply = m; });
    if (!RunUntil([&] { return reply.has_value() || !closed_.empty(); }) || !reply) {
      *error = "Janus did not answer" + (closed_.empty() ? std::string() : ": " + closed_);
      return std::nullopt;
    }
    if (std::string e = JanusError(*reply); !e.empty()) {
      *error = e;
      return std::nullopt;
    }
    return reply;
  }

  boost::asio::io_context io_;
  std::shared_ptr<JanusConnection> conn_;
  bool opened_ = false;
  std::string closed_;
  uint64_t session_ = 0, handle_ = 0;
};

}  // namespace

bool CreateJanusRooms(const std::string& host, uint16_t port, Target target,
                      const std::vector<uint64_t>& ids, int publishers, std::string* error) {
  Admin admin;
  if (!admin.Open(host, port, target, error)) return false;
  for (uint64_t id : ids) {
    json::object body{{"request", "create"}, {"room", id}, {"permanent", false}};
    if (target == Target::kJanusAudioBridge) {
      body["sampling_rate"] = 48000;
      body["audiolevel_ext"] = true;
      body["audiolevel_event"] = false;
      body["default_bitrate"] = 32000;
      body["default_expectedloss"] = 5;
    } else {
      body["publishers"] = publishers;
      body["videocodec"] = "vp8";
      body["audiocodec"] = "opus";
      body["bitrate"] = 2500000;
      body["notify_joining"] = false;
    }
    auto r = admin.Plugin(std::move(body), error);
    if (!r) {
      *error = "create room " + std::to_string(id) + ": " + *error;
      return false;
    }
  }
  return true;
}

void DestroyJanusRooms(const std::string& host, uint16_t port, Target target,
                       const std::vector<uint64_t>& ids) {
  Admin admin;
  std::string error;
  if (!admin.Open(host, port, target, &error)) return;
  for (uint64_t id : ids) admin.Plugin(json::object{{"request", "destroy"}, {"room", id}}, &error);
}

}  // namespace sfu::loadtest

#pragma once
// The load tester's client of the server's control API (the Chime SDK Meetings REST shape):
// creates meetings and attendees, reads a meeting, and scrapes /metrics. Plain HTTP; requests are
// SigV4-signed (service "chime") when an access key is given, as @aws-sdk does. Blocking, with a
// timeout on every request; one owner.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sfu::loadtest {

struct HttpUrl {
  std::string scheme;  // http or ws (https/wss are refused for now)
  std::string host;
  uint16_t port = 0;
  std::string path;  // starts with '/'
};
// Parses http://host[:port][/path] and ws://...; nullopt with *error otherwise.
std::optional<HttpUrl> ParseUrl(const std::string& url, std::string* error);

struct ApiResponse {
  int status = 0;  // 0: no response (connection failed or timed out)
  std::string body;
  std::string error_type;  // x-amzn-ErrorType
  std::string transport_error;
};

struct MeetingInfo {
  std::string meeting_id;
  std::string signaling_url;  // MediaPlacement.SignalingUrl
};

class ControlClient {
 public:
  // key: "KEYID:SECRET" or empty (unsigned; the server accepts that from loopback only).
  ControlClient(HttpUrl endpoint, std::string key, std::string region = "us-east-1");
  ~ControlClient();

  ApiResponse Request(const std::string& method, const std::string& path,
                      const std::string& body = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Each returns nullopt with a one-line *error naming the HTTP status and the server's message.
  std::optional<MeetingInfo> CreateMeeting(const std::string& external_id, std::string* error);
  std::optional<MeetingInfo> GetMeeting(const std::string& meeting_id, std::string* error);
  // Creates `users.size()` attendees in batches of up to 100 (BatchCreateAttendee), waiting and
  // retrying while the server answers 429; returns their join tokens in order.
  std::optional<std::vector<std::string>> CreateAttendees(const std::string& meeting_id,
                                                          const std::vector<std::string>& users,
                                                          std::string* error);
  // Returns the attendee's join token.
  std::optional<std::string> CreateAttendee(const std::string& meeting_id,
                                            const std::string& external_user_id,
                                            std::string* error);
  std::optional<std::string> Metrics(std::string* error);
  const HttpUrl& endpoint() const { return endpoint_; }

 private:
  HttpUrl endpoint_;
  std::string key_id_;
  std::string secret_;
  std::string region_;
};

// The value of a Prometheus sample `name{labels}` summed over the label sets that contain
// `label` (e.g. `direction="out"`; empty: all), 0 if absent.
double SumMetric(const std::string& metrics_text, const std::string& name,
                 const std::string& label = "");

}  // namespace sfu::loadtest

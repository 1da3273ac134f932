#pragma once
// The meeting app's backend (web/app, served at / by server/web_app.h):
//   POST /app/join {"meeting", "name", "password"?}  -> 200 {"Meeting": {...}, "Attendee": {...}}
//   GET  /app/info                                   -> 200 {"passwordRequired": bool}
// It does what a Chime server application does for its clients, through the same ControlApi:
// CreateMeeting with ExternalMeetingId = the canonical meeting name and a ClientRequestToken
// derived from it (so the first join creates the meeting and later ones find it, until it ends),
// then CreateAttendee with ExternalUserId "<8 hex>#<name>" (two people with one name are two
// attendees). The answer is the Meeting and Attendee objects exactly as the API returns them,
// ready for new MeetingSessionConfiguration(meeting, attendee).
//
// Only meetings the app created are found by name: a meeting an application created through
// the API with the same ExternalMeetingId is not joinable from the app (its token differs).
// Limits (docs/SECURITY.md, "The meeting app"): `joins_per_minute` per client address (burst
// the same), checked before anything else; bodies must be application/json (a cross-site form
// cannot send it without a CORS preflight, which this server never grants); names validated by
// signaling/api/app_join_request.h; the shared password compared in constant time. A refused
// request creates nothing.
//
// Thread: control thread. The ControlApi and clock are borrowed and outlive this.

#include <boost/json/object.hpp>
#include <string>

#include "base/clock.h"
#include "signaling/api/http_message.h"
#include "signaling/api/rate_limiter.h"
#include "signaling/control/control_api.h"

namespace sfu::api {

struct AppJoinConfig {
  bool enabled = true;           // --app
  std::string password;          // --app-password; "" = none
  double joins_per_minute = 20;  // --app-rate, per client address
  bool tls = false;              // the listener speaks TLS: wss:// and https:// URLs
  // MediaPlacement URLs name the host the browser reached us at (its Host header) instead of
  // the configured public URL: true when no --public-url was given, so a LAN address, a name
  // and localhost all work without configuration. With an explicit public URL (a reverse proxy
  // may rewrite Host) the URLs stay as configured.
  bool urls_from_host = true;
};

class AppJoin {
 public:
  AppJoin(ControlApi& api, const base::Clock& clock, AppJoinConfig config);

  http::HttpResponse Join(const http::HttpRequest& req);
  http::HttpResponse Info(const http::HttpRequest& req) const;

  const AppJoinConfig& config() const { return config_; }

  // The ClientRequestToken of the app's meeting for a canonical name.
  static std::string MeetingToken(const std::string& meeting);
  // True for a Host header value that is a plain host[:port] (names, IPv4, [IPv6]).
  static bool IsPlainHost(std::string_view host);

 private:
  http::HttpResponse Fail(const ApiError& e) const;
  // Rewrites the MediaPlacement URLs of a Meeting object to name `host`.
  void UseHost(boost::json::object& meeting, const std::string& host) const;

  ControlApi& api_;           // borrowed
  const base::Clock& clock_;  // borrowed
  AppJoinConfig config_;
  TokenBucketLimiter limiter_;
  std::string password_digest_;  // SHA-256 of the password, compared in constant time
};

}  // namespace sfu::api

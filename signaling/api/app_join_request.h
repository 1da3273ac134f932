#pragma once
// The body of POST /app/join, the meeting app's backend (signaling/control/app_join.h):
//   {"meeting": "<name>", "name": "<person>", "password": "<shared password>"?}
// Pure: no I/O. Parses untrusted bytes, validates and canonicalises the two names, and returns
// either the request or a BadRequest naming what is wrong. Never throws. Fuzzed by
// tests/fuzz/app_join_fuzzer.cc.
//
// Meeting names are canonical (the app's links are /<name>): surrounding space trimmed, runs of
// white space turned into one '-', ASCII letters lower-cased; then 2 to 64 characters, each an
// ASCII letter, digit, '-' or '_', or any non-ASCII character that is not a control, format or
// invisible one (so "Équipe Nord" is "équipe-nord"). The paths the server serves itself
// ("app", "metrics", ...) are reserved.
// Person names: trimmed, runs of white space as one space, 1 to 40 characters, no control,
// format or invisible characters.

#include <optional>
#include <string>
#include <string_view>

#include "signaling/api/request_parser.h"

namespace sfu::api {

struct AppJoinRequest {
  std::string meeting;   // canonical
  std::string name;      // cleaned
  std::string password;  // as given; "" when absent
};

inline constexpr size_t kAppMeetingNameMax = 64;  // ExternalMeetingId's limit
inline constexpr size_t kAppPersonNameMax = 40;   // + "<8 hex>#" fits ExternalUserId's 64
inline constexpr size_t kAppPasswordMaxBytes = 256;

Parsed<AppJoinRequest> ParseAppJoinRequest(std::string_view body);

// The canonical form of a meeting name, or nullopt with *error (a message for the person).
std::optional<std::string> CanonicalMeetingName(std::string_view raw, std::string* error);
// The cleaned person name, or nullopt with *error.
std::optional<std::string> CleanPersonName(std::string_view raw, std::string* error);
// True for first path segments the server serves itself, which a meeting may not be named.
bool IsReservedMeetingName(std::string_view canonical);

}  // namespace sfu::api

#pragma once
// The pure parts of the Redis engine (docs/DESIGN.md, "Cluster mode"): the --redis URL and the
// attendee record's encoding as one hash value. No I/O, no hiredis; fuzzed
// (tests/fuzz/redis_url_fuzzer.cc, tests/fuzz/redis_record_fuzzer.cc): a record read from Redis
// is input like any other — a corrupt or hostile one is refused, never trusted.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/store/meeting_store.h"

namespace sfu::store {

// redis://[[user]:password@]host[:port][/db] (an IPv6 host in brackets; "redis://password@host"
// is a password alone) or unix:///path/to/socket[?db=N].
struct RedisAddress {
  std::string host;  // empty with a unix socket
  int port = 6379;
  std::string unix_path;
  std::string user;  // an ACL user (AUTH user password); empty: the default user
  std::string password;
  int db = 0;
  std::string Describe() const;  // without the user and password
};
// nullopt with *error set for anything else (the message never shows the password).
std::optional<RedisAddress> ParseRedisUrl(std::string_view url, std::string* error);

// Fields as <decimal length>:<bytes>, concatenated. Decode: nullopt for anything that is not
// exactly such a sequence.
std::string EncodeFields(const std::vector<std::string>& fields);
std::optional<std::vector<std::string>> DecodeFields(std::string_view s);

// An attendee record as one hash value (eight fields). Decode: nullopt when corrupt.
std::string EncodeAttendeeRecord(const AttendeeRecord& a);
std::optional<AttendeeRecord> DecodeAttendeeRecord(std::string_view s);

// A decimal integer field as Redis returns it (0 when not one).
int64_t ParseInt64(std::string_view s);

}  // namespace sfu::store

#pragma once
// Helpers shared by the RTCP unit tests: parse one block as a given type (refusing temporaries,
// since parsed objects may borrow the buffer) and build one with exact-size checks.

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "transport/wire/rtcp/common_header.h"

namespace sfu::wire::rtcp {

using Bytes = std::vector<uint8_t>;

inline std::optional<CommonHeader> Header(const Bytes& b) {
  CommonHeader h;
  if (!h.Parse(b)) return std::nullopt;
  return h;
}

// Parses b as exactly one block of type T; nullopt if the header or T::Parse fails.
template <typename T>
std::optional<T> ParseAs(const Bytes& b) {
  auto h = Header(b);
  if (!h) return std::nullopt;
  T t;
  if (!t.Parse(*h)) return std::nullopt;
  return t;
}
// Parsed objects may borrow the buffer: refuse temporaries.
template <typename T>
std::optional<T> ParseAs(Bytes&&) = delete;
// For checks that only need the verdict, temporaries are fine.
template <typename T>
bool Parses(const Bytes& b) {
  return ParseAs<T>(b).has_value();
}

// Create() into an exactly-sized buffer, also checking BlockLength and that one byte less fails.
template <typename T>
Bytes Build(const T& t) {
  Bytes out(t.BlockLength());
  EXPECT_EQ(t.Create(out), out.size());
  if (!out.empty()) {
    Bytes smaller(out.size() - 1);
    EXPECT_EQ(t.Create(smaller), 0u);
  }
  return out;
}

}  // namespace sfu::wire::rtcp

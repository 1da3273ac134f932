#include "transport/wire/red_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace sfu::wire {
namespace {

TEST(RedPayloadTest, PrimaryOnly) {
  const std::vector<uint8_t> p = {0x6f, 0xf8, 0xff, 0xfe};
  auto red = ParseRedPayload(p);
  ASSERT_TRUE(red);
  ASSERT_EQ(red->count, 1u);
  EXPECT_EQ(red->primary().payload_type, 111);
  EXPECT_EQ(red->primary().data.size(), 3u);
}

TEST(RedPayloadTest, RedundantBlocksComeFirstOldestFirst) {
  // Two redundant blocks (offset 1920 len 2, offset 960 len 1) then the primary (3 bytes).
  const std::vector<uint8_t> p = {0xef, 0x1e, 0x00, 0x02, 0xef, 0x0f, 0x00, 0x01,
                                  0x6f, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
  auto red = ParseRedPayload(p);
  ASSERT_TRUE(red);
  ASSERT_EQ(red->count, 3u);
  EXPECT_EQ(red->blocks[0].timestamp_offset, 1920u);
  EXPECT_EQ(red->blocks[0].data.size(), 2u);
  EXPECT_EQ(red->blocks[0].data[0], 0xaa);
  EXPECT_EQ(red->blocks[1].timestamp_offset, 960u);
  EXPECT_EQ(red->blocks[1].data[0], 0xcc);
  EXPECT_EQ(red->primary().data.size(), 3u);
  EXPECT_EQ(red->primary().data[0], 0xdd);
  std::vector<uint8_t> out(p.size());
  EXPECT_EQ(WriteRedPayload(std::span(red->blocks, red->count), out), p.size());
  EXPECT_EQ(out, p);
}

TEST(RedPayloadTest, RejectsGarbage) {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
  } cases[] = {
      {"empty", {}},
      {"header cut", {0xef, 0x0f}},
      {"no final header", {0xef, 0x0f, 0x00, 0x00}},
      {"length beyond payload", {0xef, 0x0f, 0x00, 0x09, 0x6f, 0x01}},
      {"too many blocks", std::vector<uint8_t>(40, 0x80)},
  };
  for (const Case& c : cases) {
    std::string error;
    EXPECT_FALSE(ParseRedPayload(c.bytes, &error)) << c.name;
    EXPECT_FALSE(error.empty()) << c.name;
  }
}

TEST(RedPayloadTest, WriterRefusesWhatTheHeaderCannotHold) {
  std::vector<uint8_t> big(1024, 1), out(4096);
  RedBlock blocks[2] = {{111, 960, big}, {111, 0, big}};
  EXPECT_EQ(WriteRedPayload(blocks, out), 0u);  // 10-bit length
  std::vector<uint8_t> small(4, 1);
  RedBlock far[2] = {{111, 0x4000, small}, {111, 0, small}};
  EXPECT_EQ(WriteRedPayload(far, out), 0u);  // 14-bit offset
}

}  // namespace
}  // namespace sfu::wire

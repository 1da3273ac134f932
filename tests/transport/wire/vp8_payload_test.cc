#include "transport/wire/vp8_payload.h"

#include <gtest/gtest.h>

#include <vector>

namespace sfu::wire {
namespace {

TEST(Vp8PayloadTest, Table) {
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    bool ok;
    bool key;
    bool start;
    int picture_id;  // -1 none
    int tl0;         // -1 none
    size_t header;
  } cases[] = {
      {"minimal key frame", {0x10, 0x00}, true, true, true, -1, -1, 1},
      {"minimal delta frame", {0x10, 0x01}, true, false, true, -1, -1, 1},
      {"continuation", {0x00, 0x00}, true, false, false, -1, -1, 1},
      {"15-bit picture id, key", {0x90, 0x80, 0x81, 0x23, 0x00}, true, true, true, 0x0123, -1, 4},
      {"7-bit picture id + TL0 + TID",
       {0x90, 0xe0, 0x12, 0x07, 0x40, 0x01},
       true,
       false,
       true,
       0x12,
       7,
       5},
      {"second partition is no key frame", {0x91, 0x80, 0x05, 0x00}, true, false, false, 5, -1, 3},
      {"empty", {}, false, false, false, -1, -1, 0},
      {"X without extension byte", {0x90}, false, false, false, -1, -1, 0},
      {"15-bit picture id cut", {0x90, 0x80, 0x81}, false, false, false, -1, -1, 0},
      {"descriptor without payload", {0x90, 0x80, 0x05}, false, false, false, -1, -1, 0},
  };
  for (const Case& c : cases) {
    auto d = ParseVp8Descriptor(c.bytes);
    ASSERT_EQ(d.has_value(), c.ok) << c.name;
    if (!d) continue;
    EXPECT_EQ(d->key_frame, c.key) << c.name;
    EXPECT_EQ(d->frame_start(), c.start) << c.name;
    EXPECT_EQ(d->has_picture_id ? d->picture_id : -1, c.picture_id) << c.name;
    EXPECT_EQ(d->has_tl0picidx ? d->tl0picidx : -1, c.tl0) << c.name;
    EXPECT_EQ(d->header_size, c.header) << c.name;
  }
}

TEST(Vp8PayloadTest, RewritesPictureIdAndTl0InPlace) {
  std::vector<uint8_t> p = {0x90, 0xc0, 0x81, 0x23, 0x07, 0x00};
  auto d = ParseVp8Descriptor(p);
  ASSERT_TRUE(d);
  WriteVp8PictureId(p, *d, 0x7ffe);
  WriteVp8Tl0PicIdx(p, *d, 0xaa);
  auto e = ParseVp8Descriptor(p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->picture_id, 0x7ffe);
  EXPECT_EQ(e->tl0picidx, 0xaa);
  EXPECT_TRUE(e->key_frame);
}

}  // namespace
TEST(Vp8PayloadTest, KeyFrameSizeFromTheVp8Header) {
  // Frame tag (P clear), start code, 1280 (scale bits 01 set: ignored) x 720.
  const uint8_t key[] = {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x45, 0xd0, 0x02};
  auto s = ParseVp8KeyFrameSize(key);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->width, 1280);
  EXPECT_EQ(s->height, 720);
  const uint8_t delta[] = {0x51, 0x2a, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02};
  EXPECT_FALSE(ParseVp8KeyFrameSize(delta)) << "P set: not a key frame";
  const uint8_t bad_code[] = {0x50, 0x2a, 0x00, 0x9d, 0x01, 0x2b, 0x00, 0x05, 0xd0, 0x02};
  EXPECT_FALSE(ParseVp8KeyFrameSize(bad_code));
  EXPECT_FALSE(ParseVp8KeyFrameSize(std::span<const uint8_t>(key, 9))) << "truncated";
}

}  // namespace sfu::wire

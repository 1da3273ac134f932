// Big-endian helpers: known byte patterns, sign extension, and the bounds of the checked forms.
#include "transport/wire/byte_io.h"

#include <gtest/gtest.h>

#include <array>

namespace sfu::wire {
namespace {

TEST(ByteIoTest, ReadsNetworkOrder) {
  const std::array<uint8_t, 8> b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(ReadBE16(b.data()), 0x0102);
  EXPECT_EQ(ReadBE24(b.data()), 0x010203u);
  EXPECT_EQ(ReadBE32(b.data()), 0x01020304u);
  EXPECT_EQ(ReadBE64(b.data()), 0x0102030405060708ull);
}

TEST(ByteIoTest, WritesNetworkOrder) {
  std::array<uint8_t, 8> b{};
  WriteBE64(b.data(), 0x1122334455667788ull);
  EXPECT_EQ(b, (std::array<uint8_t, 8>{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88}));
  WriteBE16(b.data(), 0xABCD);
  WriteBE24(b.data() + 2, 0xFFEEDDCC);  // only the low 24 bits
  EXPECT_EQ(b[0], 0xAB);
  EXPECT_EQ(b[1], 0xCD);
  EXPECT_EQ(b[2], 0xEE);
  EXPECT_EQ(b[4], 0xCC);
}

TEST(ByteIoTest, SignExtends24Bits) {
  struct Case {
    std::array<uint8_t, 3> bytes;
    int32_t value;
  };
  const Case cases[] = {{{0x00, 0x00, 0x00}, 0},        {{0x7F, 0xFF, 0xFF}, 8388607},
                        {{0x80, 0x00, 0x00}, -8388608}, {{0xFF, 0xFF, 0xFF}, -1},
                        {{0xFF, 0xFF, 0xFE}, -2},       {{0x00, 0x01, 0x00}, 256}};
  for (const Case& c : cases) {
    EXPECT_EQ(ReadBE24Signed(c.bytes.data()), c.value);
    std::array<uint8_t, 3> out{};
    WriteBE24(out.data(), static_cast<uint32_t>(c.value));
    EXPECT_EQ(out, c.bytes);
  }
}

TEST(ByteIoTest, CheckedFormsRefuseOutOfBounds) {
  std::array<uint8_t, 4> b = {0xDE, 0xAD, 0xBE, 0xEF};
  EXPECT_EQ(ReadU32(b, 0), 0xDEADBEEFu);
  EXPECT_EQ(ReadU16(b, 2), 0xBEEF);
  EXPECT_FALSE(ReadU32(b, 1).has_value());
  EXPECT_FALSE(ReadU8(b, 4).has_value());
  EXPECT_FALSE(ReadU16(b, SIZE_MAX).has_value());  // no overflow in the bounds check
  EXPECT_FALSE(ReadU64(b, 0).has_value());
  EXPECT_TRUE(WriteU16(b, 2, 0x1234));
  EXPECT_EQ(b[3], 0x34);
  EXPECT_FALSE(WriteU32(b, 2, 1));
  EXPECT_EQ(b[2], 0x12);  // untouched by the failed write
}

}  // namespace
}  // namespace sfu::wire

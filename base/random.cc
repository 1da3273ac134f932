#include "base/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "base/check.h"

namespace sfu::base {

void RandomFill(std::span<uint8_t> out) {
  // RAND_bytes takes an int length; fill in chunks so any span size is safe.
  size_t done = 0;
  while (done < out.size()) {
    const size_t n = std::min<size_t>(out.size() - done, INT_MAX);
    SFU_CHECK(RAND_bytes(out.data() + done, static_cast<int>(n)) == 1);
    done += n;
  }
}

uint32_t RandomU32() {
  uint32_t v = 0;
  RandomFill({reinterpret_cast<uint8_t*>(&v), sizeof(v)});
  return v;
}

uint32_t RandomNonZeroU32() {
  // 2^-32 per draw: the loop ends after one draw in practice, and never spins on a failing RNG
  // (RandomFill aborts).
  uint32_t v = 0;
  while (v == 0) v = RandomU32();
  return v;
}

uint64_t RandomU64() {
  uint64_t v = 0;
  RandomFill({reinterpret_cast<uint8_t*>(&v), sizeof(v)});
  return v;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RandomFill({reinterpret_cast<uint8_t*>(out.data()), n});
  return out;
}

}  // namespace sfu::base

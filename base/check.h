#pragma once
// Invariant checks. SFU_CHECK is always on and aborts with a message: reserve it for corrupt
// state. SFU_DCHECK is for programmer errors and compiles away in release builds.

#include <cstdio>
#include <cstdlib>

#define SFU_CHECK(cond)                                                                      \
  do {                                                                                       \
    if (!(cond)) {                                                                           \
      std::fprintf(stderr, "level=fatal msg=\"check failed\" cond=\"%s\" at=%s:%d\n", #cond, \
                   __FILE__, __LINE__);                                                      \
      std::abort();                                                                          \
    }                                                                                        \
  } while (0)

#ifdef NDEBUG
#define SFU_DCHECK(cond) \
  do {                   \
  } while (0)
#else
#define SFU_DCHECK(cond) SFU_CHECK(cond)
#endif

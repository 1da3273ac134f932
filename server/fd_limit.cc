#include "server/fd_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace sfu::server {

FdLimit RaiseFdLimit() {
  FdLimit out;
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return out;
  out.soft = r.rlim_cur;
  out.hard = r.rlim_max;
  const rlim_t target = std::min<rlim_t>(r.rlim_max, 1'048'576);
  if (r.rlim_cur < target) {
    rlimit raised = r;
    raised.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      out.soft = target;
      out.raised = true;
    }
  }
  return out;
}

size_t HttpConnectionCap(size_t requested, uint64_t fd_soft_limit) {
  const uint64_t usable = fd_soft_limit > 256 ? (fd_soft_limit - 256) / 4 : 0;
  return static_cast<size_t>(std::max<uint64_t>(16, std::min<uint64_t>(requested, usable)));
}

}  // namespace sfu::server

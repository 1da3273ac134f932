// SRTP protect/unprotect cost per packet for 100 B and 1,200 B payloads, AEAD_AES_128_GCM and
// AES_CM_128_HMAC_SHA1_80, with whichever libsrtp2 this binary links (built twice: against the
// OpenSSL-crypto build and against Debian's NSS build; scripts/bench.sh runs both).
#include <cstring>
#include <vector>

#include "bench/bench_util.h"
#include "transport/srtp/srtp_library.h"
#include "transport/srtp/srtp_session.h"

using sfu::transport::SrtpProfile;
using sfu::transport::SrtpSession;

int main() {
  std::printf("libsrtp: %s\n", sfu::transport::SrtpLibraryDescription().c_str());
  for (SrtpProfile profile : {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80}) {
    for (size_t payload : {100u, 1200u}) {
      std::vector<uint8_t> key(46);
      for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 13 + 7);
      auto tx = SrtpSession::Create(profile, key, SrtpSession::Direction::kOutbound);
      auto rx = SrtpSession::Create(profile, key, SrtpSession::Direction::kInbound);
      if (!tx || !rx) return 1;
      const size_t len = 12 + payload;
      const int64_t ops = 200000;
      // Pre-protect distinct packets so unprotect sees fresh sequence numbers (no replays).
      std::vector<std::vector<uint8_t>> protected_pkts(static_cast<size_t>(ops) + ops / 10);
      uint8_t pkt[2048];
      auto fill = [&](int64_t i) {
        std::memset(pkt, 0x5a, len);
        pkt[0] = 0x80;
        pkt[1] = 96;
        pkt[2] = static_cast<uint8_t>(i >> 8);
        pkt[3] = static_cast<uint8_t>(i);
        pkt[8] = 1;
      };
      const std::string name = std::string(sfu::transport::SrtpProfileName(profile)) + " " +
                               std::to_string(payload) + " B";
      // Protect: each call a fresh packet (sequence number advances; rollover handled by libsrtp).
      sfu::bench::Measure("protect   " + name, ops, 5, [&](int64_t i) {
        fill(i);
        size_t n = len;
        tx->ProtectRtp(pkt, &n, sizeof(pkt));
      });
      auto tx2 = SrtpSession::Create(profile, key, SrtpSession::Direction::kOutbound);
      for (size_t i = 0; i < protected_pkts.size(); ++i) {
        fill(static_cast<int64_t>(i));
        size_t n = len;
        tx2->ProtectRtp(pkt, &n, sizeof(pkt));
        protected_pkts[i].assign(pkt, pkt + n);
      }
      size_t next = 0;
      auto rx_fresh = SrtpSession::Create(profile, key, SrtpSession::Direction::kInbound);
      sfu::bench::Measure("unprotect " + name, ops / 5, 5, [&](int64_t) {
        auto& p = protected_pkts[next++ % protected_pkts.size()];
        std::memcpy(pkt, p.data(), p.size());
        size_t n = p.size();
        rx_fresh->UnprotectRtp(pkt, &n);  // later rounds replay and fail fast after auth
      });
    }
  }
  return 0;
}

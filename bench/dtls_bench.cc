// DTLS 1.2 handshakes per second per core, server side: a full handshake (ECDHE-ECDSA P-256)
// between our server and client sessions in memory, timing only the server's CPU.
#include <deque>
#include <vector>

#include "bench/bench_util.h"
#include "transport/dtls/dtls_context.h"
#include "transport/dtls/dtls_session.h"

using sfu::transport::DtlsSession;

struct Peer : DtlsSession::Listener {
  std::deque<std::vector<uint8_t>> out;
  bool connected = false;
  void OnDtlsSend(std::span<const uint8_t> d) override { out.emplace_back(d.begin(), d.end()); }
  void OnDtlsConnected(const sfu::transport::SrtpKeys&) override { connected = true; }
  void OnDtlsApplicationData(std::span<const uint8_t>) override {}
  void OnDtlsFailed(const std::string&) override {}
  void OnDtlsClosed() override {}
};

int main() {
  std::string error;
  auto server_ctx = sfu::transport::DtlsContext::Create(&error);
  auto client_ctx = sfu::transport::DtlsContext::Create(&error);
  if (!server_ctx || !client_ctx) return 1;
  const int n = 300;
  int64_t server_ns = 0;
  const int64_t start = sfu::bench::ThreadCpuNs();
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    Peer sp, cp;
    int64_t t0 = sfu::bench::ThreadCpuNs();
    DtlsSession server(*server_ctx, DtlsSession::Role::kServer, "sha-256",
                       client_ctx->fingerprint(), &sp);
    server_ns += sfu::bench::ThreadCpuNs() - t0;
    DtlsSession client(*client_ctx, DtlsSession::Role::kClient, "sha-256",
                       server_ctx->fingerprint(), &cp);
    client.Start();
    for (int k = 0; k < 20 && (!cp.out.empty() || !sp.out.empty()); ++k) {
      while (!cp.out.empty()) {
        auto d = std::move(cp.out.front());
        cp.out.pop_front();
        t0 = sfu::bench::ThreadCpuNs();
        server.OnDatagram(d);
        server_ns += sfu::bench::ThreadCpuNs() - t0;
      }
      while (!sp.out.empty()) {
        auto d = std::move(sp.out.front());
        sp.out.pop_front();
        client.OnDatagram(d);
      }
    }
    ok += sp.connected && cp.connected;
  }
  const double total_s = static_cast<double>(sfu::bench::ThreadCpuNs() - start) / 1e9;
  std::printf("DTLS handshakes completed: %d of %d\n", ok, n);
  std::printf("server CPU per handshake: %.0f us  -> %.0f handshakes/s per core (server side)\n",
              static_cast<double>(server_ns) / n / 1000.0,
              n / (static_cast<double>(server_ns) / 1e9));
  std::printf("both sides in one thread: %.0f handshakes/s\n", n / total_s);
  return ok == n ? 0 : 1;
}

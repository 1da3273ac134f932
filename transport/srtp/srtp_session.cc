#include "transport/srtp/srtp_session.h"

#include <srtp2/srtp.h>

#include <cstring>

#include "transport/srtp/srtp_library.h"

namespace sfu::transport {
namespace {

SrtpResult Map(srtp_err_status_t s) {
  switch (s) {
    case srtp_err_status_ok:
      return SrtpResult::kOk;
    case srtp_err_status_auth_fail:
      return SrtpResult::kAuthFail;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
      return SrtpResult::kReplay;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return SrtpResult::kBadParam;
    default:
      return SrtpResult::kOtherError;
  }
}

srtp_t Ctx(void* p) { return static_cast<srtp_t>(p); }

}  // namespace

std::string_view SrtpResultName(SrtpResult r) {
  switch (r) {
    case SrtpResult::kOk:
      return "ok";
    case SrtpResult::kAuthFail:
      return "auth_fail";
    case SrtpResult::kReplay:
      return "replay";
    case SrtpResult::kBadParam:
      return "bad_param";
    case SrtpResult::kNoSpace:
      return "no_space";
    case SrtpResult::kOtherError:
      return "other";
    case SrtpResult::kCount:
      break;
  }
  return "unknown";
}

std::unique_ptr<SrtpSession> SrtpSession::Create(SrtpProfile profile,
                                                 std::span<const uint8_t> key_salt,
                                                 Direction direction) {
  if (!InitSrtpLibrary()) return nullptr;
  if (key_salt.size() < SrtpKeyLength(profile) + SrtpSaltLength(profile)) return nullptr;
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  switch (profile) {
    case SrtpProfile::kAes128CmSha1_80:
      srtp_crypto_policy_set_rtp_default(&policy.rtp);
      srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
      break;
    case SrtpProfile::kAes128CmSha1_32:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
      srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
      break;
    case SrtpProfile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      break;
    case SrtpProfile::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
      break;
    case SrtpProfile::kNone:
      return nullptr;
  }
  uint8_t key[64];
  std::memcpy(key, key_salt.data(), SrtpKeyLength(profile) + SrtpSaltLength(profile));
  policy.ssrc.type = direction == Direction::kInbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = key;
  policy.window_size = 1024;
  policy.allow_repeat_tx = 1;  // retransmissions re-protect the same sequence number
  policy.next = nullptr;
  srtp_t ctx = nullptr;
  if (srtp_create(&ctx, &policy) != srtp_err_status_ok) return nullptr;
  return std::unique_ptr<SrtpSession>(new SrtpSession(ctx));
}

SrtpSession::~SrtpSession() { srtp_dealloc(Ctx(ctx_)); }

SrtpResult SrtpSession::ProtectRtp(uint8_t* data, size_t* len, size_t capacity) {
  if (*len < 12) return SrtpResult::kBadParam;
  if (capacity < *len + SRTP_MAX_TRAILER_LEN) return SrtpResult::kNoSpace;
  int n = static_cast<int>(*len);
  const SrtpResult r = Map(srtp_protect(Ctx(ctx_), data, &n));
  if (r == SrtpResult::kOk) *len = static_cast<size_t>(n);
  return r;
}

SrtpResult SrtpSession::UnprotectRtp(uint8_t* data, size_t* len) {
  if (*len < 12) return SrtpResult::kBadParam;
  int n = static_cast<int>(*len);
  const SrtpResult r = Map(srtp_unprotect(Ctx(ctx_), data, &n));
  if (r == SrtpResult::kOk) *len = static_cast<size_t>(n);
  return r;
}

SrtpResult SrtpSession::ProtectRtcp(uint8_t* data, size_t* len, size_t capacity) {
  if (*len < 8) return SrtpResult::kBadParam;
  if (capacity < *len + SRTP_MAX_TRAILER_LEN + 4) return SrtpResult::kNoSpace;
  int n = static_cast<int>(*len);
  const SrtpResult r = Map(srtp_protect_rtcp(Ctx(ctx_), data, &n));
  if (r == SrtpResult::kOk) *len = static_cast<size_t>(n);
  return r;
}

SrtpResult SrtpSession::UnprotectRtcp(uint8_t* data, size_t* len) {
  if (*len < 8) return SrtpResult::kBadParam;
  int n = static_cast<int>(*len);
  const SrtpResult r = Map(srtp_unprotect_rtcp(Ctx(ctx_), data, &n));
  if (r == SrtpResult::kOk) *len = static_cast<size_t>(n);
  return r;
}

}  // namespace sfu::transport

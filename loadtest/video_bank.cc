#include "loadtest/video_bank.h"

#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include <algorithm>
#include <cmath>

namespace sfu::loadtest {
namespace {
constexpr size_t kMaxPayload = 1100;
}  // namespace

void VideoBank::SetPictureId(std::vector<uint8_t>& p, uint16_t picture_id) {
  if (p.size() < 4) return;
  p[2] = static_cast<uint8_t>(0x80 | ((picture_id >> 8) & 0x7f));
  p[3] = static_cast<uint8_t>(picture_id & 0xff);
}

VideoBank::VideoBank(int width, int height, int kbps) {
  vpx_codec_enc_cfg_t cfg;
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    error_ = "libvpx: no VP8 encoder configuration";
    return;
  }
  cfg.g_w = width;
  cfg.g_h = height;
  cfg.g_timebase = {1, 25};
  cfg.rc_target_bitrate = static_cast<unsigned>(kbps);
  cfg.g_lag_in_frames = 0;
  cfg.kf_mode = VPX_KF_DISABLED;  // only frame 0 is a key frame; PLIs restart the loop there
  cfg.g_error_resilient = 1;
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_init(&codec, vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) {
    error_ = "libvpx: VP8 encoder init failed";
    return;
  }
  vpx_codec_control(&codec, VP8E_SET_CPUUSED, 8);
  vpx_image_t img;
  vpx_img_alloc(&img, VPX_IMG_FMT_I420, width, height, 16);
  for (int f = 0; f < kFrames; ++f) {
    // A moving diagonal gradient with a bright square: cheap to make, changes every frame.
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        img.planes[0][y * img.stride[0] + x] = static_cast<uint8_t>((x + y + f * 6) & 0xff);
    for (int y = 0; y < height / 2; ++y)
      for (int x = 0; x < width / 2; ++x) {
        img.planes[1][y * img.stride[1] + x] =
            static_cast<uint8_t>(128 + 40 * std::sin((x + f) * 0.05));
        img.planes[2][y * img.stride[2] + x] =
            static_cast<uint8_t>(128 + 40 * std::cos((y + f) * 0.05));
      }
    const int side = std::min(64, height / 4);
    const int sx = (f * 8) % (width - side), sy = (f * 4) % (height - side);
    for (int y = sy; y < sy + side; ++y)
      for (int x = sx; x < sx + side; ++x) img.planes[0][y * img.stride[0] + x] = 235;
    if (vpx_codec_encode(&codec, &img, f, 1, f == 0 ? VPX_EFLAG_FORCE_KF : 0, VPX_DL_REALTIME) !=
        VPX_CODEC_OK) {
      error_ = "libvpx: encode failed";
      break;
    }
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t* pkt = vpx_codec_get_cx_data(&codec, &iter)) {
      if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      Frame frame;
      frame.key = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
      const auto* data = static_cast<const uint8_t*>(pkt->data.frame.buf);
      const size_t size = pkt->data.frame.sz;
      for (size_t at = 0; at < size; at += kMaxPayload) {
        const size_t n = std::min(kMaxPayload, size - at);
        std::vector<uint8_t> p(4 + n);
        p[0] = static_cast<uint8_t>(0x80 |
                                    (at == 0 ? 0x10 : 0x00));  // X, S on the first packet, PID 0
        p[1] = 0x80;                                           // I: PictureID present
        SetPictureId(p, 0);
        std::copy(data + at, data + at + n, p.begin() + 4);
        frame.payloads.push_back(std::move(p));
      }
      frames_.push_back(std::move(frame));
    }
  }
  vpx_img_free(&img);
  vpx_codec_destroy(&codec);
  if (error_.empty() && (frames_.empty() || !frames_.front().key))
    error_ = "libvpx: the loop does not start with a key frame";
}

}  // namespace sfu::loadtest

#pragma once
// Pre-encoded camera video for simulated attendees (encoded once with libvpx, looped): 2 s of a
// synthetic moving picture, 640x360 VP8 at 25 fps and ~500 kb/s, frame 0 a key frame; each frame
// already cut into RTP payloads (RFC 7741 descriptor with a 15-bit PictureID the sender rewrites,
// at most 1,100 bytes each). Immutable after construction; shared by all worker threads.
#include <cstdint>
#include <string>
#include <vector>

namespace sfu::loadtest {

class VideoBank {
 public:
  static constexpr int kFrames = 50;                // 2 s at 25 fps
  static constexpr uint32_t kTicksPerFrame = 3600;  // 90 kHz / 25 fps

  struct Frame {
    bool key = false;
    std::vector<std::vector<uint8_t>> payloads;  // RTP payloads in order; PictureID at bytes 2-3
  };
  // Encodes the loop at width x height and kbps; on failure frames() is empty and error() says
  // why. Simulcast senders use three banks (low 160x90, mid 320x180, hi 640x360).
  explicit VideoBank(int width = 640, int height = 360, int kbps = 500);
  const std::vector<Frame>& frames() const { return frames_; }
  const std::string& error() const { return error_; }
  // Writes the 15-bit PictureID into a payload of this bank.
  static void SetPictureId(std::vector<uint8_t>& payload, uint16_t picture_id);

 private:
  std::vector<Frame> frames_;
  std::string error_;
};

}  // namespace sfu::loadtest

#pragma once
#include <fstream>
#include <sstream>
#include <string>

namespace sfu::sdp {
inline std::string ReadTestFile(const std::string& name) {
  std::ifstream in(std::string(SFU_TEST_DATA_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace sfu::sdp

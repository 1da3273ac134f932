#pragma once
// Helpers shared by the unit tests.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace sfu::testing {

// A fresh, empty directory named after the running test; removed by the destructor.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Parameterized tests have '/' in their names ("Engines/Suite", "Test/sqlite"): one flat
    // directory all the same, so the destructor removes everything.
    std::string name = "sfu-test-" + std::to_string(::getpid()) + "-" + info->test_suite_name() +
                       "-" + info->name();
    std::replace(name.begin(), name.end(), '/', '_');
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace sfu::testing

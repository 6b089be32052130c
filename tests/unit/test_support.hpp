// Helpers shared by the unit tests: paths into the source tree, temp dirs, running labctl.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/process.hpp"

namespace labctl::test {

inline std::filesystem::path source_dir() {
    return LABCTL_SOURCE_DIR;
}
inline std::string labctl_binary() {
    return LABCTL_BINARY;
}

std::vector<std::filesystem::path> example_labs();
std::vector<std::filesystem::path> bad_lab_files();

// A directory removed with everything in it when the object goes away.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

util::ProcessResult run_labctl(const std::vector<std::string>& args);

// LABCTL_HOME pointed at a temporary directory for the test and the labctl it runs; the old
// value back afterwards.
class PrivateHome {
  public:
    PrivateHome();
    ~PrivateHome();
    PrivateHome(const PrivateHome&) = delete;
    PrivateHome& operator=(const PrivateHome&) = delete;
    const std::filesystem::path& path() const { return dir_.path(); }

  private:
    TempDir dir_;
    std::string old_;
    bool had_old_ = false;
};

}  // namespace labctl::test

#include "test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace labctl::test {

namespace {
std::vector<std::filesystem::path> sorted_glob(const std::filesystem::path& dir,
                                               const std::string& suffix, bool recurse_one_level) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (recurse_one_level && entry.is_directory()) {
            auto lab = entry.path() / "lab.toml";
            if (std::filesystem::exists(lab)) out.push_back(lab);
        } else if (!recurse_one_level && entry.path().string().ends_with(suffix)) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

std::vector<std::filesystem::path> example_labs() {
    return sorted_glob(source_dir() / "examples", "", true);
}
std::vector<std::filesystem::path> bad_lab_files() {
    return sorted_glob(source_dir() / "tests/data/bad", ".toml", false);
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "labctl-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

util::ProcessResult run_labctl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{labctl_binary(), "--no-color"};
    argv.insert(argv.end(), args.begin(), args.end());
    return util::run_process(argv);
}

PrivateHome::PrivateHome() {
    if (const char* old = std::getenv("LABCTL_HOME")) {
        old_ = old;
        had_old_ = true;
    }
    ::setenv("LABCTL_HOME", dir_.path().c_str(), 1);
}

PrivateHome::~PrivateHome() {
    if (had_old_)
        ::setenv("LABCTL_HOME", old_.c_str(), 1);
    else
        ::unsetenv("LABCTL_HOME");
}

}  // namespace labctl::test

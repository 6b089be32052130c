// Every error class of SPEC.md section 2 has a bad file in tests/data/bad/ with the exact
// LINE:COL and message start it must produce, in NAME.expect beside it.
#include <gtest/gtest.h>

#include <fstream>

#include "labfile/loader.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// "LINE:COL: first 60 characters of the message", the shape of the .expect files.
std::vector<std::string> diagnostics_of(const std::filesystem::path& file) {
    auto result = labfile::load_lab_file(file.string());
    EXPECT_FALSE(result.lab.has_value()) << file << " should be invalid";
    std::vector<std::string> out;
    auto sorted = result.diagnostics.items();
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.pos < b.pos; });
    for (const auto& item : sorted)
        out.push_back(std::to_string(item.pos.line) + ":" + std::to_string(item.pos.col) + ": " +
                      item.message.substr(0, 60));
    return out;
}

class BadFile : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(BadFile, ReportsExactPositionsAndMessages) {
    auto file = GetParam();
    auto expect_file = file;
    expect_file.replace_extension(".expect");
    ASSERT_TRUE(std::filesystem::exists(expect_file)) << "missing " << expect_file;
    EXPECT_EQ(diagnostics_of(file), read_lines(expect_file));
}

TEST_P(BadFile, CliExitsTwoWithOneLinePerError) {
    auto file = GetParam();
    auto expect_file = file;
    expect_file.replace_extension(".expect");
    auto result = test::run_labctl({"validate", "-f", file.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    auto expected = read_lines(expect_file);
    std::size_t error_lines = 0;
    std::istringstream err(result.err);
    for (std::string line; std::getline(err, line);) {
        if (line.find(": error: ") == std::string::npos) continue;
        EXPECT_EQ(line.rfind(file.string() + ":", 0), 0u) << line;
        ++error_lines;
    }
    EXPECT_EQ(error_lines, expected.size()) << result.err;
    EXPECT_EQ(result.out, "");
}

std::string test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
    auto name = info.param.stem().string();
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(AllBadFiles, BadFile, ::testing::ValuesIn(test::bad_lab_files()),
                         test_name);

TEST(BadFiles, ThereAreAtLeastThirty) {
    EXPECT_GE(test::bad_lab_files().size(), 30u);
}

}  // namespace
}  // namespace labctl

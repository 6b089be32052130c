// `--lab NAME` and every lab name that becomes a directory: the fault probe of issue 10 found
// `down --lab /any/dir` writing /any/dir/lock, `--lab ../../etc` escaping the state dir and
// `--lab ''` meaning "the lab of -f". Each must be exit 2 with a clear message, creating nothing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/paths.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace labctl {
namespace {

namespace fs = std::filesystem;

// LABCTL_HOME points into a temp dir for the test (labctl and its children inherit it).
class LabNameTest : public ::testing::Test {
  protected:
    void SetUp() override {
        home_ = root_.path() / "home";
        fs::create_directories(home_ / "labs");
        ::setenv("LABCTL_HOME", home_.c_str(), 1);
    }
    void TearDown() override { ::unsetenv("LABCTL_HOME"); }

    test::TempDir root_;
    fs::path home_;
};

TEST_F(LabNameTest, DownWithADirectoryAsLabExitsTwoAndWritesNothing) {
    fs::path target = root_.path() / "any" / "dir";
    fs::create_directories(target);
    auto result = test::run_labctl({"down", "--lab", target.string()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("not a lab name"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(target / "lock"));
    EXPECT_FALSE(fs::exists(target / "lab.json"));
}

TEST_F(LabNameTest, DownWithAClimbingLabExitsTwoAndCreatesNothingOutsideTheStateDir) {
    // ../../escaped from LABCTL_HOME/labs is ROOT/escaped.
    auto result = test::run_labctl({"down", "--lab", "../../escaped"});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("../../escaped"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(root_.path() / "escaped"));
    EXPECT_TRUE(fs::is_empty(home_ / "labs"));
}

TEST_F(LabNameTest, DownWithAnEmptyLabExitsTwoInsteadOfUsingTheLabFile) {
    // A valid lab file next to it: an empty --lab must not silently mean "this file's lab".
    auto lab = (test::source_dir() / "examples/rr-chat/lab.toml").string();
    auto result = test::run_labctl({"down", "-f", lab, "--lab", ""});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--lab: empty lab name"), std::string::npos) << result.err;
    EXPECT_TRUE(fs::is_empty(home_ / "labs"));
}

TEST_F(LabNameTest, DownRejectsNamesThatBreakTheRule) {
    for (const char* bad :
         {"Mom", "1lab", "lab_1", "lab.1", "-lab", "a-very-long-lab-name-over-31-chars"}) {
        // --lab=VALUE: "-lab" after a separate --lab would be read as an option.
        auto result = test::run_labctl({"down", std::string("--lab=") + bad});
        EXPECT_EQ(result.exit_code, 2) << bad << ": " << result.err;
        EXPECT_NE(result.err.find("^[a-z][a-z0-9-]{0,30}$"), std::string::npos) << result.err;
    }
    EXPECT_TRUE(fs::is_empty(home_ / "labs"));
}

TEST_F(LabNameTest, StateDirRefusesABadNameItself) {
    for (const char* bad : {"", ".", "..", "../etc", "/etc", "a/b", "Mom"})
        EXPECT_THROW(store::lab_state_dir(bad), InputError) << bad;
    EXPECT_EQ(store::lab_state_dir("mom"), home_ / "labs" / "mom");
    EXPECT_TRUE(store::is_lab_name("a"));
    EXPECT_TRUE(store::is_lab_name("a-very-long-lab-name-of-31-char"));
    EXPECT_FALSE(store::is_lab_name("a-very-long-lab-name-of-32-chars"));
}

}  // namespace
}  // namespace labctl

// Progress through one reporter: what -q, the default and -v show, each line stamped.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "util/reporter.hpp"

namespace labctl {
namespace {

std::string shown(int verbosity) {
    std::ostringstream out;
    util::Reporter progress(out, verbosity);
    progress.step("network mom-nat  defined");
    progress.detail("chat on server1: compare ok");
    progress.warning("drift");
    progress.stream() << "image build output\n";
    return out.str();
}

TEST(Reporter, QuietShowsOnlyWarnings) {
    auto out = shown(-1);
    EXPECT_EQ(out.find("network"), std::string::npos) << out;
    EXPECT_EQ(out.find("compare"), std::string::npos) << out;
    EXPECT_EQ(out.find("image build"), std::string::npos) << out;
    EXPECT_NE(out.find("warning: drift"), std::string::npos) << out;
}

TEST(Reporter, DefaultShowsStepsNotDetails) {
    auto out = shown(0);
    EXPECT_NE(out.find("network mom-nat  defined\n"), std::string::npos) << out;
    EXPECT_EQ(out.find("compare"), std::string::npos) << out;
    EXPECT_NE(out.find("image build output\n"), std::string::npos) << out;
    EXPECT_NE(out.find("warning: drift"), std::string::npos) << out;
}

TEST(Reporter, VerboseShowsDetailsTooEachLineStamped) {
    auto out = shown(1);
    EXPECT_NE(out.find("chat on server1: compare ok\n"), std::string::npos) << out;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        if (line == "image build output") continue;
        EXPECT_EQ(line.rfind("[  ", 0), 0u) << line;  // "[  0.00s] ..."
    }
}

}  // namespace
}  // namespace labctl

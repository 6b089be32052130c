// `labctl kill` refuses, with exit 2 and before any load or fault, what it cannot do.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace labctl {
namespace {

std::string bookstore() {
    return (test::source_dir() / "examples/bookstore-swarm/lab.toml").string();
}

TEST(CliKill, ProcessModeOnASwarmWorkerIsRefusedNamingTheOtherModes) {
    test::PrivateHome home;
    auto result = test::run_labctl({"kill", "worker3", "--mode", "process", "-f", bookstore()});
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("runs as tasks its cluster places"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("--mode poweroff"), std::string::npos) << result.err;
}

TEST(CliKill, UnknownNodeExitsTwo) {
    test::PrivateHome home;
    auto result = test::run_labctl({"kill", "worker9", "-f", bookstore()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("unknown node `worker9`"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace labctl

// `labctl kill` targets resolve to the traffic their balancer carries: a target behind the
// gRPC balancer of the seed lab is measured with gRPC health calls, not refused.
#include <gtest/gtest.h>

#include "labfile/loader.hpp"
#include "services/registry.hpp"
#include "util/error.hpp"
#include "verify/target.hpp"

namespace labctl::verify {
namespace {

topo::Lab example(const std::string& name) {
    return labfile::load_lab_or_throw(std::string(LABCTL_SOURCE_DIR) + "/examples/" + name +
                                      "/lab.toml");
}

TEST(FaultTarget, BehindAGrpcBalancerTheLoadIsGrpcHealthCalls) {
    auto lab = example("grpc-nginx");
    auto target = resolve_fault_target(lab, "greeter2/greeter");
    ASSERT_NE(target.balancer, nullptr);
    EXPECT_EQ(target.balancer->name, "balancer");
    EXPECT_EQ(target.protocol, probe::LoadProtocol::grpc_health);
    ASSERT_EQ(target.instances.size(), 1u);
    EXPECT_EQ(balancer_protocol(lab, *target.balancer), probe::LoadProtocol::grpc_health);
    // The whole node is a target too.
    EXPECT_EQ(resolve_fault_target(lab, "greeter1").protocol, probe::LoadProtocol::grpc_health);
}

TEST(FaultTarget, BehindAnHttpBalancerTheLoadIsHttpGets) {
    auto lab = example("rr-chat");
    int balancers = 0;
    for (const auto& service : lab.services) {
        if (!services::balancing_of(lab, service)) continue;
        ++balancers;
        EXPECT_EQ(balancer_protocol(lab, service), probe::LoadProtocol::http) << service.name;
    }
    EXPECT_GT(balancers, 0);
}

TEST(FaultTarget, BadTargetsAreStillInputErrors) {
    auto lab = example("grpc-nginx");
    EXPECT_THROW(resolve_fault_target(lab, "nope"), InputError);
    EXPECT_THROW(resolve_fault_target(lab, "lb/balancer"), InputError);  // not an app
    EXPECT_THROW(resolve_fault_target(lab, "lb"), InputError);  // nothing behind a balancer
}

}  // namespace
}  // namespace labctl::verify

// Readiness is observed: what a guest reports of its NICs (remote::parse_guest_nics) against
// the plan (commands::observe_nics), matched by the MAC labctl assigned, whatever the
// interface is called and in whatever order the guest lists them.
#include <gtest/gtest.h>

#include "commands/node_readiness.hpp"
#include "lab_fixtures.hpp"

namespace labctl {
namespace {

topo::Lab mixed_lab() {
    return test::load_lab(test::two_network_lab("ready") + R"(
[nodes.a]
networks = { nat = "dhcp", hostonly = "192.168.56.11" }
)");
}

TEST(GuestNics, ParsesNamesMacsAndAddressesWithoutPrefixes) {
    auto nics = remote::parse_guest_nics(
        "lo 00:00:00:00:00:00 127.0.0.1/8\n"
        "enp1s0 52:54:00:AB:cd:01 192.168.56.11/24 10.0.0.9/8\n"
        "enp2s0 52:54:00:ab:cd:02\n"
        "garbage\n"
        "eth9 not-a-mac 1.2.3.4/24\n");
    ASSERT_EQ(nics.size(), 2u);
    EXPECT_EQ(nics[0].name, "enp1s0");
    EXPECT_EQ(nics[0].mac, "52:54:00:ab:cd:01");
    EXPECT_EQ(nics[0].addresses, (std::vector<std::string>{"192.168.56.11", "10.0.0.9"}));
    EXPECT_EQ(nics[1].name, "enp2s0");
    EXPECT_TRUE(nics[1].addresses.empty());
}

TEST(NodeReadiness, AllPlannedAddressesSeenIsReady) {
    auto lab = mixed_lab();
    const auto& node = *lab.node("a");
    const auto& nat = *node.nic("nat");
    const auto& hostonly = *node.nic("hostonly");
    // The guest lists its NICs in another order than the file: matched by MAC.
    auto seen = commands::observe_nics(node, {{"eth1", hostonly.mac, {hostonly.planned.str()}},
                                              {"eth0", nat.mac, {nat.planned.str()}}});
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].network, "nat");
    EXPECT_EQ(seen[0].interface, "eth0");
    for (const auto& nic : seen) {
        EXPECT_TRUE(nic.as_planned()) << nic.problem();
        EXPECT_EQ(nic.shown(), nic.planned);
    }
}

TEST(NodeReadiness, ADhcpNicWithoutItsLeaseIsNotReady) {
    auto lab = mixed_lab();
    const auto& node = *lab.node("a");
    const auto& nat = *node.nic("nat");
    const auto& hostonly = *node.nic("hostonly");
    auto seen = commands::observe_nics(
        node, {{"eth0", nat.mac, {}}, {"eth1", hostonly.mac, {hostonly.planned.str()}}});
    EXPECT_FALSE(seen[0].as_planned());
    EXPECT_EQ(seen[0].shown(), std::nullopt);  // never the planned address it does not have
    EXPECT_EQ(seen[0].problem(), "NIC eth0 (" + nat.mac +
                                     ") on network nat has no IPv4 address (planned " +
                                     nat.planned.str() + ")");
}

TEST(NodeReadiness, AnotherAddressOrAMissingNicIsReported) {
    auto lab = mixed_lab();
    const auto& node = *lab.node("a");
    const auto& nat = *node.nic("nat");
    auto seen = commands::observe_nics(node, {{"eth0", nat.mac, {"192.168.123.250"}}});
    EXPECT_EQ(seen[0].shown(), "192.168.123.250");
    EXPECT_NE(seen[0].problem().find("has 192.168.123.250, not the planned " + nat.planned.str()),
              std::string::npos);
    EXPECT_NE(seen[1].problem().find("no NIC with MAC " + node.nic("hostonly")->mac),
              std::string::npos)
        << seen[1].problem();
}

}  // namespace
}  // namespace labctl

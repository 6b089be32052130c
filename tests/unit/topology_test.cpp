// What a valid lab file means: defaults, NIC order, address plan, references, instances,
// dependency order.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "topology/address_plan.hpp"
#include "topology/references.hpp"

namespace labctl::topo {
namespace {

using labfile::load_lab_text;

using test::load_lab;

// server1 lists its NAT NIC first; defaults, a node override, instances and references.
const std::string two_nodes = test::two_network_lab("mom", "driver = \"lxc\"\n") + R"(
[defaults]
memory = 768
user = "student"

[nodes.server1]
networks = { nat = "dhcp", hostonly = "192.168.56.11" }

[nodes.server2]
networks = { hostonly = "192.168.56.12", nat = "dhcp" }
memory = 1024

[services.lb]
type = "nginx"
on = "server1"
listen = 8090
backend = "chat"
weights = { server2 = 3 }

[services.chat]
type = "app"
on = ["server1", "server2"]
instances = 2
port = 8080
run = "python3 app.py --port ${instance.port}"
env = { BROKER_HOST = "${broker.address}", BROKER_PORT = "${broker.stomp_port}", ME = "${node.name}@${node.address}" }

[services.broker]
type = "activemq"
on = "server2"
stomp_port = 61614
)";

TEST(Topology, DefaultsApplyAndNodesOverrideThem) {
    auto lab = load_lab(two_nodes);
    EXPECT_EQ(lab.lab.driver, Driver::lxc);
    EXPECT_EQ(lab.node("server1")->memory_mib, 768);
    EXPECT_EQ(lab.node("server2")->memory_mib, 1024);
    EXPECT_EQ(lab.node("server1")->user, "student");
    EXPECT_EQ(lab.node("server1")->image, "debian-12-lab");
}

TEST(Topology, NicOrderIsKeyOrderInTheFile) {
    auto lab = load_lab(two_nodes);
    ASSERT_EQ(lab.node("server1")->nics.size(), 2u);
    EXPECT_EQ(lab.node("server1")->nics[0].network, "nat");
    EXPECT_EQ(lab.node("server1")->nics[1].network, "hostonly");
    EXPECT_EQ(lab.node("server2")->nics[0].network, "hostonly");
}

TEST(Topology, DhcpNicsGetReservedAddressesAndEveryNicAStableUniqueMac) {
    auto lab = load_lab(two_nodes);
    EXPECT_EQ(lab.node("server1")->nic("nat")->planned.str(), "192.168.123.100");
    EXPECT_EQ(lab.node("server2")->nic("nat")->planned.str(), "192.168.123.101");
    EXPECT_FALSE(lab.node("server1")->nic("nat")->address.has_value());
    EXPECT_EQ(lab.node("server1")->nic("hostonly")->planned.str(), "192.168.56.11");
    std::set<std::string> macs;
    for (const auto& node : lab.nodes)
        for (const auto& nic : node.nics) {
            EXPECT_EQ(nic.mac.rfind("52:54:00:", 0), 0u);
            macs.insert(nic.mac);
        }
    EXPECT_EQ(macs.size(), 4u);
    EXPECT_EQ(load_lab(two_nodes).node("server2")->nics[1].mac, lab.node("server2")->nics[1].mac);
    EXPECT_NE(deterministic_mac("a", "n", "x"), deterministic_mac("b", "n", "x"));
}

TEST(Topology, SmallSubnetsAllocateFromTheBottom) {
    auto lab = load_lab(R"(
[lab]
name = "small"
[networks.p2p]
mode = "host-only"
subnet = "10.0.0.0/29"
[nodes.a]
networks = { p2p = "10.0.0.2" }
[nodes.b]
networks = { p2p = "dhcp" }
)");
    EXPECT_EQ(lab.node("b")->nics[0].planned.str(), "10.0.0.3");
}

TEST(Topology, InstancesGetPortsAndNamesPerNode) {
    auto lab = load_lab(two_nodes);
    auto instances = lab.instances(*lab.service("chat"));
    ASSERT_EQ(instances.size(), 4u);
    EXPECT_EQ(instances[0].name, "chat-server1-1");
    EXPECT_EQ(instances[1].name, "chat-server1-2");
    EXPECT_EQ(instances[1].port, 8081);
    EXPECT_EQ(instances[3].node->name, "server2");
    EXPECT_EQ(lab.instances(*lab.service("broker"))[0].name, "broker-server2");
}

TEST(Topology, ReferencesResolvePerInstanceOnASharedNetwork) {
    auto lab = load_lab(two_nodes);
    auto instances = lab.instances(*lab.service("chat"));
    // server2's broker is reached on the first network of server2 that server1 shares.
    auto resolved = resolve_references(lab, "${broker.address}:${broker.stomp_port}", instances[0]);
    EXPECT_EQ(resolved.error, "");
    EXPECT_EQ(resolved.value, "192.168.56.12:61614");
    EXPECT_EQ(resolve_references(lab, "--port ${instance.port}", instances[1]).value,
              "--port 8081");
    EXPECT_EQ(resolve_references(lab, "${node.name}@${node.address}", instances[0]).value,
              "server1@192.168.123.100");
    EXPECT_EQ(resolve_references(lab, "${lb.port} ${lab.name}", instances[0]).value, "8090 mom");
    EXPECT_NE(resolve_references(lab, "${nope.address}", instances[0]).error, "");
    EXPECT_NE(resolve_references(lab, "${chat.stomp_port}", instances[0]).error, "");
}

TEST(Topology, ServicesComeInDependencyOrder) {
    auto lab = load_lab(two_nodes);
    std::vector<std::string> order;
    for (const auto* service : lab.dependency_order()) order.push_back(service->name);
    EXPECT_EQ(order, (std::vector<std::string>{"broker", "chat", "lb"}));
}

TEST(Topology, DefaultNetworksAsAListMeanDhcpOnEach) {
    auto lab = load_lab(R"(
[lab]
name = "x"
[networks.a]
mode = "nat"
subnet = "10.5.0.0/24"
[defaults]
networks = ["a"]
[nodes.n1]
[nodes.n2]
)");
    EXPECT_EQ(lab.node("n2")->nics[0].planned.str(), "10.5.0.101");
}

TEST(Topology, UnknownReferenceScopeSuggestsTheClosestService) {
    auto result = load_lab_text(
        two_nodes +
            "\n[services.extra]\ntype = \"app\"\non = \"server1\"\nport = 9000\nrun = \"x\"\n"
            "env = { X = \"${brokr.address}\" }\n",
        "lab.toml");
    ASSERT_FALSE(result.lab);
    EXPECT_NE(result.diagnostics.format().find("did you mean `broker`?"), std::string::npos)
        << result.diagnostics.format();
}

TEST(Topology, NoInputCrashesOrThrows) {
    // A few hostile shapes beyond the fuzzer's corpus.
    for (const std::string& text :
         {std::string("\0\0\0", 3), std::string("[[lab]]\nname=1"), std::string("lab = []"),
          std::string("[services.x]\ntype = \"nginx\"\non = []"),
          std::string("[lab]\nname=\"a\"\n[nodes.a]\nnetworks={x=1}"), std::string(10000, '['),
          std::string("a=") + std::string(3000, '[')}) {
        EXPECT_NO_THROW(load_lab_text(text, "lab.toml"));
    }
}

}  // namespace
}  // namespace labctl::topo

// The swarm type on its own: its keys, placement, ports, rendered daemon.json and registry
// config, what it asks of the base image and of an LXC node's domain, and the parsers its role
// and check read Docker with. Its role and check run on real guests (examples/bookstore-swarm
// in e2e_lxc_every_example).
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engine/desired.hpp"
#include "image/image_build.hpp"
#include "lab_fixtures.hpp"
#include "labfile/render_lab.hpp"
#include "services/registry.hpp"
#include "services/swarm/docker_state.hpp"
#include "services/swarm/swarm_checks.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "test_support.hpp"
#include "virt/xml_builders.hpp"
#include "virt/xml_query.hpp"

namespace labctl {
namespace {

std::string swarm_lab(const std::string& service) {
    return test::two_network_lab("hive") + R"(
[nodes.m1]
networks = { nat = "dhcp", hostonly = "192.168.56.10" }

[nodes.w1]
networks = { hostonly = "192.168.56.11" }

[nodes.w2]
networks = { hostonly = "192.168.56.12" }

[nodes.db]
networks = { hostonly = "192.168.56.20" }
)" + service;
}

const std::string kSwarm = R"(
[services.hive]
type = "swarm"
manager = "m1"
workers = ["w1", "w2"]
)";

TEST(Swarm, ManagerAndWorkersPlaceIt) {
    auto lab = test::load_lab(swarm_lab(kSwarm));
    const auto* hive = lab.service("hive");
    ASSERT_NE(hive, nullptr);
    EXPECT_EQ(hive->type_name(), "swarm");
    ASSERT_EQ(hive->on.size(), 3u);
    EXPECT_EQ(hive->on[0].value, "m1");
    EXPECT_EQ(hive->main_port(), 2377);
    // The swarm's network is the one every node shares, whatever the manager's NIC order.
    EXPECT_EQ(services::swarm_registry(lab, *hive), "192.168.56.10:5000");
    EXPECT_EQ(services::swarm_address(lab, *hive, *lab.node("w2"))->str(), "192.168.56.12");
}

TEST(Swarm, ManagersListMakesTheFirstTheLeader) {
    auto lab = test::load_lab(swarm_lab(
        "[services.hive]\ntype = \"swarm\"\nmanagers = [\"w1\", \"m1\"]\nworkers = [\"w2\"]\n"));
    const auto& settings = services::swarm_settings(*lab.service("hive"));
    EXPECT_EQ(settings.leader(), "w1");
    EXPECT_TRUE(settings.is_manager("m1"));
    EXPECT_FALSE(settings.is_manager("w2"));
}

TEST(Swarm, BadKeysPointAtTheirValues) {
    auto text =
        test::load_errors(swarm_lab("\n[services.hive]\ntype = \"swarm\"\nworkers = [\"w1\"]\n"));
    EXPECT_NE(text.find("lab.toml:24:1: error: missing key `manager`"), std::string::npos) << text;
    text = test::load_errors(
        swarm_lab("\n[services.hive]\ntype = \"swarm\"\nmanager = \"m1\"\nmanagers = [\"w1\"]\n"));
    EXPECT_NE(text.find("lab.toml:27:1: error: set `manager` or `managers`"), std::string::npos)
        << text;
    text = test::load_errors(swarm_lab(
        "\n[services.hive]\ntype = \"swarm\"\nmanager = \"m1\"\nworkers = [\"w1\", \"m1\"]\n"));
    EXPECT_NE(text.find("lab.toml:27:18: error: node `m1` appears twice"), std::string::npos)
        << text;
    text = test::load_errors(
        swarm_lab("\n[services.hive]\ntype = \"swarm\"\non = \"m1\"\nmanager = \"m1\"\n"));
    EXPECT_NE(text.find("lab.toml:26:6: error: a swarm is placed by"), std::string::npos) << text;
    // A node that shares no network with the manager.
    text = test::load_errors(swarm_lab(R"(
[nodes.far]
networks = { nat = "192.168.123.40" }

[services.hive]
type = "swarm"
manager = "w1"
workers = ["far"]
)"));
    EXPECT_NE(text.find("lab.toml:29:11: error: swarm `hive`: no network of manager `w1`"),
              std::string::npos)
        << text;
}

TEST(Swarm, DaemonJsonListsTheLabRegistryAndTheRegistryHasNoLogin) {
    auto lab = test::load_lab(swarm_lab(kSwarm));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"hive"}});
    ASSERT_EQ(files.size(), 4u);  // daemon.json on each node, the registry config on m1
    for (const auto* node : {"m1", "w1", "w2"}) {
        const auto& daemon = test::find_file(files, node, services::kDaemonJson).content;
        auto json = nlohmann::json::parse(daemon);  // dockerd reads strict JSON
        EXPECT_EQ(json["insecure-registries"], nlohmann::json::array({"192.168.56.10:5000"}));
        EXPECT_EQ(json["storage-driver"], "overlay2");
    }
    const auto& registry = test::find_file(files, "m1", services::kRegistryConfig).content;
    EXPECT_NE(registry.find("addr: :5000"), std::string::npos) << registry;
    EXPECT_EQ(registry.find("auth:"), std::string::npos) << registry;
    EXPECT_EQ(registry.find("htpasswd"), std::string::npos) << registry;
}

// Labels become the node's engine labels, for constraints such as "engine.labels.zone == a".
TEST(Swarm, LabelsGoIntoTheirNodesDaemonJson) {
    auto lab =
        test::load_lab(swarm_lab(kSwarm + "labels = { w1 = { zone = \"a\", disk = \"ssd\" }, "
                                          "w2 = { zone = \"b\" } }\n"));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"hive"}});
    auto labels_of = [&](const char* node) {
        return nlohmann::json::parse(test::find_file(files, node, services::kDaemonJson).content)
            .at("labels");
    };
    EXPECT_EQ(labels_of("w1"), nlohmann::json::array({"zone=a", "disk=ssd"}));
    EXPECT_EQ(labels_of("w2"), nlohmann::json::array({"zone=b"}));
    EXPECT_EQ(labels_of("m1"), nlohmann::json::array());
    auto text = test::load_errors(
        swarm_lab(kSwarm + "labels = { db = { zone = \"a\" }, w1 = { Zone = \"a b\" } }\n"));
    EXPECT_NE(text.find("labels name node `db`, which is not in swarm `hive`"), std::string::npos)
        << text;
    EXPECT_NE(text.find("label `Zone` of `w1` must be KEY = \"VALUE\""), std::string::npos) << text;
}

TEST(Swarm, BaseImageHoldsDockerStartedOnlyByTheRole) {
    const auto& packages = image::base_packages();
    for (const auto* package : {"docker.io", "containerd", "runc", "docker-registry"})
        EXPECT_NE(std::find(packages.begin(), packages.end(), package), packages.end()) << package;
    const auto& units = image::disabled_units();
    for (const auto* unit :
         {"docker.service", "docker.socket", "containerd.service", "docker-registry.service"})
        EXPECT_NE(std::find(units.begin(), units.end(), unit), units.end()) << unit;
}

// Only a swarm node's LXC domain gets mknod and a host directory for /var/lib/docker (beside
// its overlay, so `down` removes it with the overlay).
TEST(Swarm, OnlySwarmNodesGetMknodAndAHostDirForDocker) {
    auto lab = test::load_lab(swarm_lab(kSwarm));
    auto desired = engine::desired_state(lab, virt::DomainKind::lxc, {}, false);
    for (const auto& node : desired.nodes) {
        virt::XmlDoc doc(virt::domain_xml(node.domain));
        bool swarm = node.node->name != "db";
        EXPECT_EQ(doc.values("/domain/features/capabilities[@policy='default']/mknod[@state='on']")
                      .size(),
                  swarm ? 1u : 0u)
            << node.node->name;
        auto targets = doc.values("/domain/devices/filesystem/target/@dir");
        EXPECT_EQ(targets.size(), swarm ? 2u : 1u) << node.node->name;
        if (!swarm) continue;
        EXPECT_EQ(
            doc.value("/domain/devices/filesystem[target/@dir='/var/lib/docker']/source/@dir"),
            (node.overlay->merged.parent_path() / "dirs" / "var-lib-docker").string());
    }
}

TEST(Swarm, ParsesDockerInfoAndNodeList) {
    auto state = services::parse_swarm_state(
        "active|false|abc123|192.168.56.11|192.168.56.10:2377 192.168.56.13:2377 \n");
    EXPECT_EQ(state.local_state, "active");
    EXPECT_FALSE(state.control);
    EXPECT_EQ(state.node_addr, "192.168.56.11");
    EXPECT_EQ(state.remote_managers,
              (std::vector<std::string>{"192.168.56.10:2377", "192.168.56.13:2377"}));
    EXPECT_EQ(services::parse_swarm_state("inactive|false|||\n").local_state, "inactive");

    auto nodes = services::parse_node_list("m1|Ready|Leader\nw1|Down|\nw1|Ready|\nw2|Ready|\n");
    ASSERT_EQ(nodes.size(), 4u);
    EXPECT_EQ(services::judge_swarm_node(nodes, "m1", true), "");
    EXPECT_EQ(services::judge_swarm_node(nodes, "w1", false), "");  // rejoined: Ready counts
    EXPECT_NE(services::judge_swarm_node(nodes, "w2", true).find("expected Ready manager"),
              std::string::npos);
    EXPECT_EQ(services::judge_swarm_node(nodes, "w3", false), "not in `docker node ls`");
}

}  // namespace
}  // namespace labctl

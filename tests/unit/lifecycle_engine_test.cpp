// ls, the collision check at `up`, and stop/start/restart against libvirt's real
// test:///default driver (in-process: its objects live as long as one connection is open).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands/lab_commands.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/up.hpp"
#include "engine/stopped_nodes.hpp"
#include "lab_fixtures.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "virt/connection.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUri = "test:///default";

std::string two_node_lab(const std::string& name, const std::string& subnet_prefix) {
    return "[lab]\nname = \"" + name + "\"\n\n[networks.net]\nmode = \"host-only\"\nsubnet = \"" +
           subnet_prefix + ".0/24\"\n\n[nodes.n1]\nnetworks = { net = \"" + subnet_prefix +
           ".11\" }\n\n[nodes.n2]\nnetworks = { net = \"" + subnet_prefix + ".12\" }\n";
}

class Lifecycle : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/labctl-lifecycle-XXXXXX";
        ASSERT_TRUE(::mkdtemp(tmpl));
        root_ = tmpl;
        ::setenv("LABCTL_HOME", (root_ / "home").c_str(), 1);
        test::fake_base_image(root_ / "home");
        keeper_ = std::make_unique<virt::Connection>(kUri);
        global_.connect = kUri;
        global_.driver = "qemu";
    }
    void TearDown() override {
        keeper_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
        ::unsetenv("LABCTL_HOME");
    }

    std::string file_for(const std::string& name, const std::string& prefix) {
        fs::create_directories(root_ / name);
        return test::write_lab(root_ / name, two_node_lab(name, prefix)).string();
    }
    std::string up(const std::string& file, commands::UpOptions options = {}) {
        auto global = global_;
        global.file = file;
        std::ostringstream out;
        commands::up_lab(global, options, out, {});
        return out.str();
    }
    std::string power(const std::string& file, const std::string& action,
                      std::vector<std::string> nodes) {
        auto global = global_;
        global.file = file;
        commands::PowerOptions options;
        options.action = action;
        options.nodes = std::move(nodes);
        std::ostringstream out;
        commands::run_power(global, options, out);
        return out.str();
    }
    nlohmann::json status(const std::string& file) {
        auto global = global_;
        global.file = file;
        std::ostringstream out;
        commands::run_status(global, {true}, out);
        return nlohmann::json::parse(out.str());
    }
    nlohmann::json ls() {
        std::ostringstream out;
        commands::run_ls(global_, {true}, out);
        return nlohmann::json::parse(out.str());
    }
    std::string state_of(const std::string& domain) {
        auto d = keeper_->domain(domain);
        return d ? virt::to_string(virt::Connection::state_of(d.get())) : "absent";
    }

    fs::path root_;
    std::unique_ptr<virt::Connection> keeper_;
    commands::GlobalOptions global_;
};

}  // namespace

TEST_F(Lifecycle, LsListsEveryLabFromItsTagsWithDriverNodesAndFile) {
    auto alpha = file_for("alpha", "10.77.1");
    auto beta = file_for("beta", "10.77.2");
    up(alpha);
    up(beta);
    power(beta, "stop", {"n2"});
    auto json = ls();
    EXPECT_EQ(json["connect"], kUri);
    std::map<std::string, nlohmann::json> labs;
    for (const auto& lab : json["labs"]) labs[lab["name"]] = lab;
    ASSERT_TRUE(labs.count("alpha") && labs.count("beta")) << json.dump();
    EXPECT_EQ(labs["alpha"]["driver"], "qemu");
    EXPECT_EQ(labs["alpha"]["running"], 2);
    EXPECT_EQ(labs["alpha"]["total"], 2);
    EXPECT_EQ(labs["alpha"]["file"], fs::absolute(alpha).lexically_normal().string());
    EXPECT_EQ(labs["beta"]["running"], 1);
    EXPECT_EQ(labs["beta"]["networks"][0]["subnet"], "10.77.2.0/24");
    // The test driver's stock objects carry no tag: not a lab.
    EXPECT_EQ(labs.size(), 2u);
}

TEST_F(Lifecycle, UpRefusesALabWhoseSubnetCollidesWithAnotherLabsNamingIt) {
    up(file_for("alpha", "10.77.1"));
    auto clash = file_for("gamma", "10.77.1");
    try {
        up(clash);
        FAIL() << "up accepted a colliding subnet";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("collides with lab alpha's network alpha-net"),
                  std::string::npos)
            << error.what();
    }
    // Nothing of gamma was created.
    EXPECT_EQ(state_of("gamma-n1"), "absent");
    EXPECT_FALSE(keeper_->network("gamma-net"));
}

TEST_F(Lifecycle, StopStartKeepsTheDomainAndUpLeavesAStoppedNodeAlone) {
    auto file = file_for("alpha", "10.77.1");
    up(file);
    std::string before = virt::Connection::xml_of(keeper_->domain("alpha-n2").get());
    power(file, "stop", {"n2"});
    EXPECT_EQ(state_of("alpha-n2"), "shut off");
    EXPECT_EQ(state_of("alpha-n1"), "running");
    auto shown = status(file);
    EXPECT_EQ(shown["nodes"][1]["state"], "stopped");
    EXPECT_EQ(shown["nodes"][0]["state"], "running");

    auto again = up(file);
    EXPECT_NE(again.find("n2 stopped by the user: left stopped"), std::string::npos) << again;
    EXPECT_EQ(state_of("alpha-n2"), "shut off");

    power(file, "start", {"n2"});
    EXPECT_EQ(state_of("alpha-n2"), "running");
    EXPECT_TRUE(engine::load_stopped_nodes(store::lab_state_dir("alpha")).empty());
    // The same domain (same UUID, MACs, disk): started, not recreated.
    auto strip_id = [](std::string xml) { return xml.substr(xml.find('>')); };
    EXPECT_EQ(strip_id(virt::Connection::xml_of(keeper_->domain("alpha-n2").get())),
              strip_id(before));
}

TEST_F(Lifecycle, UpOnlyStartsAStoppedNodeAndForgetsIt) {
    auto file = file_for("alpha", "10.77.1");
    up(file);
    power(file, "stop", {"n*"});
    EXPECT_EQ(engine::load_stopped_nodes(store::lab_state_dir("alpha")),
              (std::set<std::string>{"n1", "n2"}));
    commands::UpOptions only;
    only.only = {"n1"};
    up(file, only);
    EXPECT_EQ(state_of("alpha-n1"), "running");
    EXPECT_EQ(state_of("alpha-n2"), "shut off");
    EXPECT_EQ(engine::load_stopped_nodes(store::lab_state_dir("alpha")),
              (std::set<std::string>{"n2"}));
    power(file, "restart", {"n1"});
    EXPECT_EQ(state_of("alpha-n1"), "running");
}

TEST_F(Lifecycle, PowerOnAnUnknownNodeIsInputErrorAndOnALabNotUpIsInfraError) {
    auto file = file_for("alpha", "10.77.1");
    EXPECT_THROW(power(file, "stop", {"n9"}), InputError);
    try {
        power(file, "start", {"n1"});
        FAIL();
    } catch (const InputError&) {
        FAIL() << "a lab that is not up is not bad input";
    } catch (const InfraError& error) {
        EXPECT_NE(std::string(error.what()).find("run labctl up first"), std::string::npos);
    }
}

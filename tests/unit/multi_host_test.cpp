// A lab across hosts (SPEC.md section 6): the [hosts] model and its errors, placement, the
// VXLAN names, each host's share of the lab, where each node's connection is (every verb's
// way to a node), and up / status / stop / snapshot / ls / class up / down across two libvirts of
// libvirt's test driver (test:///default, which keeps its state, and a private
// test:///FILE, which starts empty on every connection). The VXLAN links, the rootfs transfer
// and the SSH to a remote host are real only in tests/e2e/two_hosts.sh.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands/class_commands.hpp"
#include "commands/class_record.hpp"
#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/up.hpp"
#include "engine/host_access.hpp"
#include "engine/host_set.hpp"
#include "engine/image_cache.hpp"
#include "engine/inventory.hpp"
#include "engine/lab_census.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_hosts.hpp"
#include "engine/lab_state.hpp"
#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "render/template_set.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

std::string two_host_lab(const std::string& second_uri, const std::string& placement) {
    return test::two_network_lab("mom") + R"(
[hosts.a]
connect = "test:///default"
underlay = "10.0.0.1"

[hosts.b]
connect = ")" +
           second_uri + R"("
underlay = "10.0.0.2"

[nodes.server1]
networks = { hostonly = "192.168.56.11" }
host = "a"

[nodes.server2]
networks = { hostonly = "192.168.56.12", nat = "dhcp" }
)" + placement;
}

}  // namespace

TEST(MultiHostModel, HostsAndNodeHostsLoad) {
    auto lab = test::load_lab(two_host_lab("lxc+ssh://root@10.0.0.2/system", "host = \"b\"\n"));
    ASSERT_EQ(lab.hosts.size(), 2u);
    EXPECT_EQ(lab.hosts[1].connect, "lxc+ssh://root@10.0.0.2/system");
    EXPECT_EQ(lab.hosts[1].underlay->str(), "10.0.0.2");
    EXPECT_EQ(lab.node("server1")->host, "a");
    EXPECT_EQ(lab.node("server2")->host, "b");
}

TEST(MultiHostModel, DefaultsCarryAHost) {
    auto text = two_host_lab("test:///default", "") + "\n[defaults]\nhost = \"b\"\n";
    // [defaults] after the nodes in the file still applies to them: TOML tables are read whole.
    auto lab = test::load_lab(text);
    EXPECT_EQ(lab.node("server1")->host, "a");
    EXPECT_EQ(lab.node("server2")->host, "b");
}

TEST(MultiHostModel, ConnectInLabAndHostsTogetherIsAnError) {
    auto text = two_host_lab("test:///default", "");
    text.replace(text.find("[lab]\n"), 6, "[lab]\nconnect = \"qemu:///system\"\n");
    auto result = labfile::load_lab_text(text, "lab.toml");
    ASSERT_FALSE(result.lab);
    EXPECT_NE(result.diagnostics.format().find("`connect` in [lab] and [hosts] together"),
              std::string::npos)
        << result.diagnostics.format();
}

TEST(MultiHostPlacement, FixedRecordedThenMostFreeMemoryWithTiesToTheFirstHost) {
    auto lab = test::load_lab(two_host_lab("test:///default", "") + R"(
[nodes.server3]
networks = ["hostonly"]
memory = 1024

[nodes.server4]
networks = ["hostonly"]
)");
    const unsigned long long gib = 1ULL << 30;
    std::vector<std::string> reasons;
    // a: 2 GiB, b: 2 GiB. server1 is fixed on a (512 MiB), so b has the most: server2 -> b;
    // then a 1.5, b 1.5 GiB: a tie, the first host wins: server3 -> a; then b: server4.
    auto placement = engine::place_nodes(lab, {2 * gib, 2 * gib}, {}, &reasons);
    EXPECT_EQ(placement["server1"], "a");
    EXPECT_EQ(placement["server2"], "b");
    EXPECT_EQ(placement["server3"], "a");
    EXPECT_EQ(placement["server4"], "b");
    ASSERT_EQ(reasons.size(), 3u);
    EXPECT_EQ(reasons[0], "node server2  placed on host b (most free memory: 2048 MiB)");
    // The same inputs place the same way; a recorded placement is kept whatever memory says.
    EXPECT_EQ(engine::place_nodes(lab, {2 * gib, 2 * gib}, {}, nullptr), placement);
    auto kept = engine::place_nodes(lab, {100 * gib, 0}, placement, nullptr);
    EXPECT_EQ(kept, placement);
    // A host that cannot tell its free memory counts as having none.
    auto unknown = engine::place_nodes(lab, {std::nullopt, 1 * gib}, {}, nullptr);
    EXPECT_EQ(unknown["server2"], "b");
}

TEST(MultiHostPlacement, StudentsCopiesGoWholeToTheHostWithTheMostFreeMemoryLeft) {
    // Each copy: server1 is fixed on a, so a copy needs server2's 512 MiB where it goes.
    auto lab = test::load_lab(two_host_lab("test:///default", ""));
    const unsigned long long mib = 1ULL << 20;
    // a: 1024 MiB, b: 1536 MiB: b, then a tie (1024 each) to a, then b, then a.
    EXPECT_EQ(engine::place_copies(lab, {1024 * mib, 1536 * mib}, 4),
              (std::vector<std::string>{"b", "a", "b", "a"}));
    // A host that cannot tell its free memory gets copies only once the others are full.
    EXPECT_EQ(engine::place_copies(lab, {std::nullopt, 1024 * mib}, 3),
              (std::vector<std::string>{"b", "b", "a"}));
    auto one_host =
        test::load_lab(test::two_network_lab("one") + "\n[nodes.n1]\nnetworks = [\"hostonly\"]\n");
    EXPECT_TRUE(engine::place_copies(one_host, {}, 2).empty());
}

TEST(MultiHostPlacement, TheRecordSaysWhichNodesAreOffTheGatewayHostAndWhichNetworksSpan) {
    engine::LabRecord record;
    record.lab = "mom";
    record.uri = "test:///default";
    EXPECT_TRUE(engine::nodes_off_gateway(record, {"server1", "server2"}).empty());
    record.hosts = {{"a", "test:///default", "10.0.0.1"}, {"b", "qemu+ssh://10.0.0.2/system", ""}};
    record.placement = {{"server1", "a"}, {"server2", "b"}};
    EXPECT_EQ(engine::nodes_off_gateway(record, {"server1", "server2"}),
              (std::vector<std::string>{"server2"}));
    auto lab = test::load_lab(two_host_lab("test:///default", ""));
    auto placed = engine::placed_lab(lab, {"hostonly"});
    EXPECT_EQ(placed.networks[0].mtu, engine::spanning_mtu);
    EXPECT_EQ(placed.networks[1].mtu, lab.networks[1].mtu);
}

TEST(MultiHostCensus, ALabOnSeveralHostsIsOneLabWithItsNodesCountedOnEach) {
    engine::CensusLab here{"mom", "lxc", "/labs/mom.toml", 1, 1, {"mom-server1"}, {}, {}};
    here.networks.push_back({"mom-hostonly", util::Subnet::parse("192.168.56.0/24"), "virbr1", ""});
    engine::CensusLab far{"mom", "lxc", "", 0, 1, {"mom-server2"}, {}, {}};
    far.networks.push_back({"mom-hostonly", std::nullopt, "virbr3", ""});
    engine::CensusLab other{"dad", "qemu", "/labs/dad.toml", 2, 2, {"dad-a", "dad-b"}, {}, {}};
    auto merged =
        engine::merge_census({{"a", {{"mom", here}, {"dad", other}}}, {"b", {{"mom", far}}}});
    ASSERT_EQ(merged.size(), 2u);
    const auto& mom = merged.at("mom");
    EXPECT_EQ(mom.running, 1);
    EXPECT_EQ(mom.total, 2);
    EXPECT_EQ(mom.file, "/labs/mom.toml");
    EXPECT_EQ(mom.hosts, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(mom.domains, (std::vector<std::string>{"mom-server1", "mom-server2"}));
    ASSERT_EQ(mom.networks.size(), 2u);
    EXPECT_EQ(mom.networks[1].host, "b");
    EXPECT_EQ(merged.at("dad").hosts, (std::vector<std::string>{"a"}));
}

TEST(MultiHostPlacement, NetworksSpanTheirNodesHostsAndAlwaysTheGatewayHost) {
    auto lab = test::load_lab(two_host_lab("test:///default", "host = \"b\"\n"));
    std::map<std::string, std::string> placement{{"server1", "a"}, {"server2", "b"}};
    EXPECT_EQ(engine::hosts_of_network(lab, placement, "hostonly"),
              (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(engine::hosts_of_network(lab, placement, "nat"),
              (std::vector<std::string>{"a", "b"}));
    placement["server2"] = "a";
    EXPECT_EQ(engine::hosts_of_network(lab, placement, "nat"), (std::vector<std::string>{"a"}));
    EXPECT_TRUE(engine::spanning_networks(lab, placement).empty());
}

TEST(MultiHostVxlan, OneDeterministicVniPerLabNetworkAndADeviceNameWithinIfnamsiz) {
    auto vni = engine::vxlan_vni("mom", "hostonly");
    EXPECT_EQ(vni, engine::vxlan_vni("mom", "hostonly"));
    EXPECT_NE(vni, engine::vxlan_vni("mom", "nat"));
    EXPECT_NE(vni, engine::vxlan_vni("dad", "hostonly"));
    EXPECT_GE(vni, 1u);
    EXPECT_LE(vni, 0xffffffu);
    auto device = engine::vxlan_device(vni);
    EXPECT_EQ(device.size(), 9u);
    EXPECT_EQ(device.rfind("lvx", 0), 0u);
}

TEST(MultiHostSsh, TheHostsUriGivesUserAddressPortKeyAndKnownHosts) {
    auto o = engine::ssh_options_for_uri(
        "far",
        "lxc+libssh://admin@10.0.0.2:2222/system?keyfile=/k/id&known_hosts=/k/known%5Fhosts"
        "&known_hosts_verify=normal");
    EXPECT_EQ(o.user, "admin");
    EXPECT_EQ(o.endpoint.host, "10.0.0.2");
    EXPECT_EQ(o.endpoint.port, 2222);
    EXPECT_EQ(o.private_key, fs::path("/k/id"));
    EXPECT_EQ(o.known_hosts, fs::path("/k/known_hosts"));
    auto plain = engine::ssh_options_for_uri("far", "qemu+ssh://10.0.0.3/system");
    EXPECT_EQ(plain.user, "root");
    EXPECT_EQ(plain.endpoint.port, 22);
    EXPECT_EQ(plain.known_hosts.filename(), "known_hosts");
}

TEST(MultiHostXml, ABridgeOnlyNetworkHasNoAddressNoDhcpNoNatAndTheLoweredMtu) {
    virt::NetworkSpec spec;
    spec.name = "mom-nat";
    spec.mode = topo::NetworkMode::nat;
    spec.subnet = *util::Subnet::parse("192.168.123.0/24");
    spec.mtu = engine::spanning_mtu;
    auto gateway = virt::network_xml(spec);
    EXPECT_NE(gateway.find("<ip address=\"192.168.123.1\""), std::string::npos) << gateway;
    EXPECT_NE(gateway.find("<mtu size=\"1450\"/>"), std::string::npos) << gateway;
    spec.bridge_only = true;
    auto other = virt::network_xml(spec);
    EXPECT_EQ(other.find("<ip"), std::string::npos) << other;
    EXPECT_EQ(other.find("<forward"), std::string::npos) << other;
    EXPECT_NE(other.find("<mtu size=\"1450\"/>"), std::string::npos) << other;
}

TEST(MultiHostSeed, ANicOnASpanningNetworkGetsTheLoweredMtuOthersNone) {
    auto lab = test::load_lab(two_host_lab("test:///default", "host = \"b\"\n"));
    auto nic_file = [&](const topo::Lab& l, int index) {
        auto files = labfile::render_lab(l, render::TemplateSet{}, {{"seed"}});
        for (const auto& file : files)
            if (file.node == "server2" &&
                file.path == "/var/lib/labctl-seed/root/etc/systemd/network/10-labctl-nic" +
                                 std::to_string(index) + ".network")
                return file.content;
        ADD_FAILURE() << "no NIC file " << index;
        return std::string();
    };
    EXPECT_EQ(nic_file(lab, 0).find("MTUBytes"), std::string::npos);
    lab.networks[0].mtu = engine::spanning_mtu;  // hostonly spans the hosts, nat does not
    auto spanning = nic_file(lab, 0);
    EXPECT_NE(spanning.find("\n[Link]\n"), std::string::npos) << spanning;
    EXPECT_NE(spanning.find("\nMTUBytes=1450\n"), std::string::npos) << spanning;
    EXPECT_EQ(nic_file(lab, 1).find("MTUBytes"), std::string::npos);
}

class MultiHostEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/labctl-hosts-XXXXXX";
        ASSERT_TRUE(::mkdtemp(tmpl));
        root_ = tmpl;
        ::setenv("LABCTL_HOME", (root_ / "home").c_str(), 1);
        ::unsetenv("LIBVIRT_DEFAULT_URI");
        test::fake_base_image(root_ / "home");
        // A second, private test driver: its own (empty) state on every connection.
        std::ofstream(root_ / "node-b.xml") << "<node><memory>4194304</memory></node>\n";
        second_ = "test://" + (root_ / "node-b.xml").string();
        lab_file_ = test::write_lab(root_, two_host_lab(second_, "host = \"b\"\n"));
        keeper_ = std::make_unique<virt::Connection>("test:///default");
        global_.file = lab_file_.string();
    }
    void TearDown() override {
        // test:///default lives as long as the process: the image cache pool goes with the test.
        if (auto pool = keeper_->pool(engine::image_pool_name))
            keeper_->remove_pool(pool.get(), "test");
        keeper_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
        ::unsetenv("LABCTL_HOME");
    }
    std::string run_up(bool dry_run) {
        std::ostringstream out;
        commands::UpOptions options;
        options.dry_run = dry_run;
        // Both test hosts are "remote" (test:/// is never this machine): QEMU nodes' disks go
        // through the image cache there, whose uploads do nothing on the test driver.
        commands::up_lab(global_, options, out, {});
        return out.str();
    }

    fs::path root_, lab_file_;
    std::string second_;
    std::unique_ptr<virt::Connection> keeper_;
    commands::GlobalOptions global_;
    std::vector<std::string> uploads_;  // recorded by the tests that pass an upload hook
};

TEST_F(MultiHostEngine, EachHostGetsItsShareAndTheRecordNamesEveryHost) {
    auto plan = run_up(true);
    EXPECT_NE(plan.find("host a  nodes: server1"), std::string::npos) << plan;
    EXPECT_NE(plan.find("host b  nodes: server2"), std::string::npos) << plan;
    EXPECT_NE(plan.find("host b:\n"), std::string::npos) << plan;
    EXPECT_NE(plan.find("vxlan lvx"), std::string::npos) << plan;
    EXPECT_FALSE(keeper_->domain("mom-server1")) << "a dry run created something";

    auto out = run_up(false);
    EXPECT_NE(out.find("on 2 host(s)"), std::string::npos) << out;
    // Host a (the gateway host) has server1 and both networks with their gateway address;
    // server2 went to host b, not here.
    EXPECT_TRUE(keeper_->domain("mom-server1"));
    EXPECT_FALSE(keeper_->domain("mom-server2"));
    auto hostonly = keeper_->network("mom-hostonly");
    ASSERT_TRUE(hostonly);
    auto xml = virt::Connection::xml_of(hostonly.get());
    EXPECT_NE(xml.find("192.168.56.1"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<mtu size='1450'/>"), std::string::npos) << xml;

    auto record = engine::load_record(root_ / "home/labs/mom");
    ASSERT_TRUE(record);
    ASSERT_EQ(record->hosts.size(), 2u);
    EXPECT_EQ(record->hosts[1].uri, second_);
    EXPECT_EQ(record->placement["server2"], "b");
    EXPECT_EQ(record->spanning_networks, (std::vector<std::string>{"hostonly", "nat"}));

    std::ostringstream status;
    commands::run_status(global_, {.json = true}, status);
    auto j = nlohmann::json::parse(status.str());
    EXPECT_EQ(j["nodes"][0]["host"], "a");
    EXPECT_EQ(j["nodes"][0]["state"], "running");
    EXPECT_EQ(j["nodes"][1]["host"], "b");

    std::ostringstream down;
    commands::DownOptions options;
    options.lab = "mom";  // from the record alone
    commands::run_down(global_, options, down);
    EXPECT_FALSE(keeper_->domain("mom-server1")) << down.str();
    EXPECT_FALSE(keeper_->network("mom-hostonly")) << down.str();
    EXPECT_FALSE(keeper_->network("mom-nat")) << down.str();
}

// Every verb's way to a node: its host's libvirt. Host b is a private test driver that starts
// empty on every connection, so a verb that reaches it finds no domain there, and says so
// naming b's URI: proof that it went to b, not to a (where server2 never was).
TEST_F(MultiHostEngine, VerbsActOnEachNodesOwnHost) {
    run_up(false);
    auto state_dir = root_ / "home/labs/mom";
    auto record = engine::load_record(state_dir);
    ASSERT_TRUE(record);
    engine::LabConnections hosts(*record, "", state_dir, false);
    EXPECT_TRUE(hosts.spans_hosts());
    EXPECT_EQ(hosts.connection("server1").uri(), "test:///default");
    EXPECT_EQ(hosts.connection("server2").uri(), second_);
    EXPECT_EQ(hosts.where("server2"), " on host b");
    EXPECT_EQ(hosts.group({"server1", "server2"}),
              (std::vector<std::vector<std::string>>{{"server1"}, {"server2"}}));
    EXPECT_THROW(engine::LabConnections(*record, "test:///default", state_dir, false), InputError);

    auto power = [&](const std::string& action, const std::string& node) {
        commands::PowerOptions options;
        options.action = action;
        options.nodes = {node};
        std::ostringstream out;
        commands::run_power(global_, options, out);
        return out.str();
    };
    power("stop", "server1");
    EXPECT_EQ(virt::Connection::state_of(keeper_->domain("mom-server1").get()),
              virt::DomainState::shut_off);
    power("start", "server1");
    EXPECT_EQ(virt::Connection::state_of(keeper_->domain("mom-server1").get()),
              virt::DomainState::running);
    try {
        power("stop", "server2");
        FAIL() << "stop server2 did not go to host b";
    } catch (const InfraError& error) {
        EXPECT_NE(std::string(error.what()).find("no domain on " + second_), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(virt::Connection::state_of(keeper_->domain("mom-server1").get()),
              virt::DomainState::running);

    // A snapshot cannot hold a disk on another host: exit 2 naming the node, nothing done.
    commands::SnapshotOptions snapshot;
    snapshot.action = "save";
    snapshot.name = "s1";
    std::ostringstream out;
    try {
        commands::run_snapshot(global_, snapshot, out);
        FAIL() << "snapshot save of a lab with a node on another host";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("another host (server2)"), std::string::npos)
            << error.what();
    }

    // ls with the lab file looks at both hosts.
    std::ostringstream listed;
    commands::run_ls(global_, {true}, listed);
    auto json = nlohmann::json::parse(listed.str());
    ASSERT_EQ(json["hosts"].size(), 2u) << json.dump();
    EXPECT_EQ(json["hosts"][1]["connect"], second_);
    bool found = false;
    for (const auto& lab : json["labs"])
        if (lab["name"] == "mom") {
            found = true;
            EXPECT_EQ(lab["hosts"], nlohmann::json::array({"a"})) << lab.dump();
            EXPECT_EQ(lab["total"], 1);
        }
    EXPECT_TRUE(found) << json.dump();
}

// class up across hosts: each copy whole on the host with the most free memory left, recorded
// with the student, and every command on that copy sees its nodes there.
TEST_F(MultiHostEngine, ClassUpSpreadsTheCopiesOverTheHostsAndClassDownRemovesThem) {
    auto text = two_host_lab(second_, "") + R"(
[class]
pool = "10.200.0.0/16"
)";
    text.erase(text.find("host = \"a\"\n"), std::string("host = \"a\"\n").size());
    lab_file_ = test::write_lab(root_, text);
    global_.file = lab_file_.string();
    global_.verbosity = -1;
    std::ostringstream out;
    commands::ClassUpOptions up;
    up.students = 3;
    ASSERT_EQ(commands::run_class_up(global_, up, out), 0) << out.str();
    auto students = commands::load_class_record(root_ / "home/labs/mom");
    ASSERT_EQ(students.size(), 3u);
    std::map<std::string, int> per_host;
    for (const auto& student : students) {
        ++per_host[student.host];
        auto copy = commands::load_lab(commands::GlobalOptions{global_.file, "", "", student.id});
        EXPECT_EQ(copy.node("server1")->host, student.host) << student.id;
        EXPECT_EQ(copy.node("server2")->host, student.host) << student.id;
        auto record = engine::load_record(root_ / "home/labs" / ("mom-" + student.id));
        ASSERT_TRUE(record) << student.id;
        EXPECT_EQ(record->placement["server1"], student.host) << student.id;
        // On host a (test:///default, which keeps its state) the copy's domains are there.
        EXPECT_EQ(bool(keeper_->domain("mom-" + student.id + "-server1")), student.host == "a")
            << student.id;
    }
    // test:///default reports 6 MiB free, the private driver none: s01 goes to a, whose share
    // is then used up (1 GiB a copy), s02 to b, s03 to a again (-1018 MiB against -1024).
    EXPECT_EQ(per_host, (std::map<std::string, int>{{"a", 2}, {"b", 1}})) << out.str();
    EXPECT_EQ(students[1].host, "b");
    std::ostringstream down;
    ASSERT_EQ(commands::run_class_down(global_, commands::ClassDownOptions{}, down), 0)
        << down.str();
    for (const auto& domain : keeper_->domains())
        EXPECT_EQ(virt::Connection::name_of(domain.get()).find("mom-s"), std::string::npos);
    EXPECT_TRUE(commands::load_class_record(root_ / "home/labs/mom").empty());
}

TEST_F(MultiHostEngine, ConnectOverrideIsRefusedForALabWithHosts) {
    global_.connect = "test:///default";
    EXPECT_THROW(run_up(true), InputError);
}

namespace {
// A seed disk per node, as the image area writes it (a file), for the uploads to carry.
class FileSeeds : public engine::SeedWriter {
  public:
    void write(const topo::Lab&, const topo::Node& node, const engine::NodeIdentity&,
               const engine::SeedTarget& target) override {
        util::write_file_atomic(target.path, "seed for " + node.name);
    }
};
}  // namespace

TEST_F(MultiHostEngine, QemuNodesOnAHostWithoutSharedDiskGetTheImageUploadedOnceAndDownKeepsIt) {
    FileSeeds seeds;
    auto up = [&] {
        std::ostringstream out;
        commands::UpHooks hooks;
        hooks.seeds = &seeds;
        hooks.upload = [this](virt::Connection& host, virStorageVolPtr volume, const fs::path& file,
                              const std::string&) {
            uploads_.push_back(host.uri() + " " + virStorageVolGetName(volume) + " <- " +
                               file.filename().string());
        };
        commands::up_lab(global_, {}, out, hooks);
        return out.str();
    };
    auto out = up();
    auto cached = engine::cached_image(root_ / "home/images/debian-12-lab");
    // Host a (test:///default: never this machine) got the base image and server1's seed.
    std::vector<std::string> on_a;
    for (const auto& upload : uploads_)
        if (upload.rfind("test:///default ", 0) == 0) on_a.push_back(upload.substr(16));
    EXPECT_EQ(on_a,
              (std::vector<std::string>{
                  cached.kernel_volume + " <- vmlinuz", cached.initrd_volume + " <- initrd.img",
                  cached.disk_volume + " <- disk.qcow2", "server1-seed.img <- server1.img"}))
        << out;
    EXPECT_NE(out.find("image debian-12-lab  sent to host a (pool labctl-image-cache, " +
                       cached.identity + ")"),
              std::string::npos)
        << out;
    // The lab's pool is on that host, in its own data directory; the clone is backed by the
    // cached disk; the domain boots the cached kernel from the disks there.
    auto pool = engine::owned_pool(*keeper_, "mom-pool", "/var/lib/labctl/labs/mom/disks");
    ASSERT_TRUE(pool);
    EXPECT_EQ(keeper_->volume_names(pool.get()),
              (std::vector<std::string>{"server1-seed.img", "server1.qcow2"}));
    auto domain = virt::Connection::xml_of(keeper_->domain("mom-server1").get());
    EXPECT_NE(domain.find("<kernel>" + cached.kernel + "</kernel>"), std::string::npos) << domain;
    EXPECT_NE(domain.find("/var/lib/labctl/labs/mom/disks/server1.qcow2"), std::string::npos)
        << domain;
    EXPECT_NE(domain.find("/var/lib/labctl/labs/mom/disks/server1-seed.img"), std::string::npos)
        << domain;
    EXPECT_NE(domain.find("/var/lib/labctl/labs/mom/console/server1.log"), std::string::npos)
        << domain;
    // Past the tag (which names the lab file), no path of labctl's machine.
    EXPECT_EQ(domain.find(root_.string(), domain.find("</metadata>")), std::string::npos)
        << "the domain names a path of labctl's machine: " << domain;
    auto clone = keeper_->volume(pool.get(), "server1.qcow2");
    ASSERT_TRUE(clone);
    virt::CharPtr clone_xml(virStorageVolGetXMLDesc(clone.get(), 0));
    EXPECT_NE(std::string(clone_xml.get()).find(cached.disk), std::string::npos) << clone_xml.get();

    // down: the lab's pool goes on every host, the image cache stays.
    std::ostringstream down;
    commands::run_down(global_, {}, down);
    EXPECT_FALSE(keeper_->pool("mom-pool")) << down.str();
    auto cache = keeper_->pool(engine::image_pool_name);
    ASSERT_TRUE(cache) << down.str();
    EXPECT_EQ(keeper_->volume_names(cache.get()).size(), 4u);

    // Up again: the cached image is reused (said so), only the new seed is sent.
    uploads_.clear();
    out = up();
    EXPECT_NE(out.find("image debian-12-lab  cached on host a, reused"), std::string::npos) << out;
    on_a.clear();
    for (const auto& upload : uploads_)
        if (upload.rfind("test:///default ", 0) == 0) on_a.push_back(upload.substr(16));
    EXPECT_EQ(on_a, (std::vector<std::string>{"server1-seed.img <- server1.img"})) << out;
    commands::run_down(global_, {}, down);
}

TEST_F(MultiHostEngine, ADiskImageFileOnAnotherHostIsRefusedClearly) {
    auto lab = test::load_lab(two_host_lab(second_, "host = \"b\"\nimage = \"./cloud.qcow2\"\n"));
    auto hosts = engine::lab_hosts(lab);
    std::map<std::string, std::string> placement{{"server1", "a"}, {"server2", "b"}};
    try {
        engine::desired_on_host(lab, virt::DomainKind::qemu, {}, false, placement, hosts, 1,
                                nullptr);
        FAIL() << "a disk image file on a remote host was accepted";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("is a disk image file"), std::string::npos)
            << error.what();
    }
}

// up / down / status against libvirt's real test:///default driver (in-process, no daemon).
// The test driver keeps its state while at least one connection to it is open, so each test
// holds one (`keeper_`) and starts from the driver's stock objects (domain `test`, network
// `default`, pool `default-pool`), which labctl must never touch.
//
// What the test driver cannot show: it creates no files for volumes, boots no guest, and
// runs no dnsmasq; linked-clone files, leases and SSH are covered by the e2e suite on a real
// libvirtd.
#include <gtest/gtest.h>

#include <libvirt/libvirt.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands/lab_commands.hpp"
#include "commands/up.hpp"
#include "engine/desired.hpp"
#include "engine/lab_state.hpp"
#include "engine/lab_status.hpp"
#include "engine/plan.hpp"
#include "engine/target.hpp"
#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "virt/connection.hpp"
#include "virt/tag.hpp"
#include "virt/xml_query.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUri = "test:///default";

const std::string kLab = test::two_network_lab("mom") + R"(
[nodes.server1]
networks = { hostonly = "192.168.56.11", nat = "dhcp" }

[nodes.server2]
networks = { hostonly = "192.168.56.12", nat = "dhcp" }
memory = 768
)";

class RecordingSeeds : public engine::SeedWriter {
  public:
    void write(const topo::Lab&, const topo::Node& node, const engine::NodeIdentity& identity,
               const engine::SeedTarget& target) override {
        calls.push_back(node.name);
        kinds.push_back(target.kind);
        EXPECT_EQ(identity.hostname, node.name);
        if (target.kind == engine::SeedTarget::Kind::directory) {
            util::make_dirs(target.path / "etc", 0755);
            util::write_file_atomic(target.path / "etc/hostname", identity.hostname + "\n");
        } else {
            util::write_file_atomic(target.path, "seed for " + identity.hostname);
        }
    }
    std::vector<std::string> calls;
    std::vector<engine::SeedTarget::Kind> kinds;
};

struct Snapshot {
    std::map<std::string, std::string> objects;  // kind:name -> XML (with UUID) and state
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

class VirtEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/labctl-virt-XXXXXX";
        ASSERT_TRUE(::mkdtemp(tmpl));
        root_ = tmpl;
        ::setenv("LABCTL_HOME", (root_ / "home").c_str(), 1);
        ::unsetenv("LIBVIRT_DEFAULT_URI");
        test::fake_base_image(root_ / "home");
        lab_file_ = test::write_lab(root_, kLab);
        keeper_ = std::make_unique<virt::Connection>(kUri);
        global_.file = lab_file_.string();
        global_.connect = kUri;
    }

    void TearDown() override {
        keeper_.reset();
        // Overlays of lxc tests are unmounted by `down`; make sure nothing stays mounted.
        for (const char* node : {"server1", "server2"}) {
            fs::path merged = root_ / "home/labs/mom/overlays" / node / "merged";
            if (engine::is_mount_point(merged)) ::umount2(merged.c_str(), MNT_DETACH);
        }
        std::error_code ec;
        fs::remove_all(root_, ec);
        ::unsetenv("LABCTL_HOME");
    }

    std::string up(commands::UpHooks hooks = {}, commands::UpOptions options = {}) {
        std::ostringstream out;
        commands::up_lab(global_, options, out, hooks);
        return out.str();
    }
    std::string down(commands::DownOptions options = {}) {
        std::ostringstream out;
        commands::run_down(global_, options, out);
        return out.str();
    }

    Snapshot snapshot() const {
        Snapshot s;
        for (auto& d : keeper_->domains())
            s.objects["domain:" + virt::Connection::name_of(d.get())] =
                virt::Connection::xml_of(d.get()) + to_string(virt::Connection::state_of(d.get()));
        for (auto& n : keeper_->networks())
            s.objects["network:" + virt::Connection::name_of(n.get())] =
                virt::Connection::xml_of(n.get()) +
                (virt::Connection::is_active(n.get()) ? "active" : "inactive");
        virStoragePoolPtr* pools = nullptr;
        int count = virConnectListAllStoragePools(keeper_->get(), &pools, 0);
        for (int i = 0; i < count; ++i) {
            virt::PoolPtr pool(pools[i]);
            std::string name = virStoragePoolGetName(pool.get());
            s.objects["pool:" + name] = virt::Connection::xml_of(pool.get());
            if (virt::Connection::is_active(pool.get())) {
                virStorageVolPtr* vols = nullptr;
                int n = virStoragePoolListAllVolumes(pool.get(), &vols, 0);
                for (int j = 0; j < n; ++j) {
                    virt::VolumePtr vol(vols[j]);
                    virt::CharPtr xml(virStorageVolGetXMLDesc(vol.get(), 0));
                    s.objects["volume:" + name + "/" + virStorageVolGetName(vol.get())] = xml.get();
                }
                std::free(vols);
            }
        }
        std::free(pools);
        return s;
    }

    // Objects that are not the test driver's stock ones.
    std::vector<std::string> ours(const Snapshot& s) const {
        std::vector<std::string> names;
        for (const auto& [key, xml] : s.objects)
            if (!stock_.objects.count(key)) names.push_back(key);
        return names;
    }

    void remember_stock() { stock_ = snapshot(); }

    fs::path root_;
    fs::path lab_file_;
    std::unique_ptr<virt::Connection> keeper_;
    commands::GlobalOptions global_;
    Snapshot stock_;
};

std::string without_uuid(const std::string& xml) {
    // A recreated object gets a new UUID and (running domains) a new id; nothing else may differ.
    auto out = std::regex_replace(xml, std::regex("<uuid>[^<]*</uuid>"), "");
    return std::regex_replace(out, std::regex("^<domain type='([a-z]+)' id='[0-9]+'>"),
                              "<domain type='$1'>");
}

const std::vector<std::string> kQemuObjects = {"domain:mom-server1",
                                               "domain:mom-server2",
                                               "network:mom-hostonly",
                                               "network:mom-nat",
                                               "pool:mom-pool",
                                               "volume:mom-pool/server1.qcow2",
                                               "volume:mom-pool/server2.qcow2"};

}  // namespace

TEST_F(VirtEngine, UpCreatesTaggedNetworksPoolClonesAndRunningDomains) {
    remember_stock();
    std::string out = up();
    EXPECT_NE(out.find("network mom-hostonly  defined"), std::string::npos) << out;
    EXPECT_NE(out.find("domain mom-server2  started"), std::string::npos) << out;
    auto after = snapshot();
    EXPECT_EQ(ours(after), kQemuObjects);

    auto net = keeper_->network("mom-hostonly");
    virt::XmlDoc hostonly(virt::Connection::xml_of(net.get()));
    EXPECT_TRUE(hostonly.values("/network/forward").empty());
    EXPECT_EQ(hostonly.value("/network/metadata/l:lab/@name"), "mom");
    EXPECT_EQ(hostonly.values("/network/ip/dhcp/host/@ip"),
              (std::vector<std::string>{"192.168.56.11", "192.168.56.12"}));
    auto nat_net = keeper_->network("mom-nat");
    virt::XmlDoc nat(virt::Connection::xml_of(nat_net.get()));
    EXPECT_EQ(nat.value("/network/forward/@mode"), "nat");
    EXPECT_EQ(nat.values("/network/ip/dhcp/host/@ip"),
              (std::vector<std::string>{"192.168.123.100", "192.168.123.101"}));

    auto domain = keeper_->domain("mom-server2");
    ASSERT_TRUE(domain);
    EXPECT_EQ(virt::Connection::state_of(domain.get()), virt::DomainState::running);
    virt::XmlDoc dom(virt::Connection::xml_of(domain.get()));
    EXPECT_EQ(dom.value("/domain/@type"), "qemu");
    EXPECT_EQ(dom.value("/domain/metadata/l:lab/@node"), "server2");
    EXPECT_EQ(dom.value("/domain/metadata/l:lab/@file"), fs::absolute(lab_file_).string());
    EXPECT_EQ(dom.value("/domain/memory"), std::to_string(768 * 1024));
    EXPECT_EQ(dom.value("/domain/devices/disk/source/@file"),
              (root_ / "home/labs/mom/disks/server2.qcow2").string());
    EXPECT_EQ(dom.values("/domain/devices/interface/source/@network"),
              (std::vector<std::string>{"mom-hostonly", "mom-nat"}));
    auto server2 = labfile::load_lab_or_throw(lab_file_.string());
    EXPECT_EQ(dom.value("/domain/devices/interface/mac/@address"),
              server2.node("server2")->nics[0].mac);

    std::string vol = after.objects.at("volume:mom-pool/server1.qcow2");
    virt::XmlDoc volume(vol);
    EXPECT_EQ(volume.value("/volume/backingStore/path"),
              (root_ / "home/images/debian-12-lab/disk.qcow2").string());
    EXPECT_EQ(volume.value("/volume/capacity"), std::to_string(8ULL << 30));

    // The state dir is private and records what `down --lab` needs.
    auto state = root_ / "home/labs/mom";
    EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_all);
    auto record = engine::load_record(state);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->uri, kUri);
    EXPECT_EQ(record->pool, "mom-pool");
}

TEST_F(VirtEngine, SecondUpMakesNoLibvirtMutation) {
    up();
    auto before = snapshot();
    std::string out = up();
    EXPECT_NE(out.find("nothing changed"), std::string::npos) << out;
    EXPECT_EQ(out.find("warning"), std::string::npos) << out;
    EXPECT_EQ(snapshot(), before);  // same XML, same UUIDs, same states

    // The same, counted at the connection: the plan for a running lab has no mutating action.
    auto lab = labfile::load_lab_or_throw(lab_file_.string());
    auto desired = engine::desired_state(lab, virt::DomainKind::qemu, {}, false);
    auto plan = engine::make_plan(*keeper_, desired, false, false);
    EXPECT_TRUE(plan.empty());
}

TEST_F(VirtEngine, QuietUpAndDownPrintNoProgressVerboseUpStillDoes) {
    global_.verbosity = -1;
    EXPECT_EQ(up(), "");
    EXPECT_EQ(down(), "");
    global_.verbosity = 1;
    std::string out = up();
    EXPECT_NE(out.find("domain mom-server2  started"), std::string::npos) << out;
}

TEST_F(VirtEngine, InterruptedAtEveryStepTheNextUpConverges) {
    remember_stock();
    up();
    const auto reference = ours(snapshot());
    std::map<std::string, std::string> reference_xml;
    for (const auto& key : reference) reference_xml[key] = snapshot().objects.at(key);
    down();
    ASSERT_TRUE(ours(snapshot()).empty());

    auto lab = labfile::load_lab_or_throw(lab_file_.string());
    auto plan = engine::make_plan(
        *keeper_, engine::desired_state(lab, virt::DomainKind::qemu, {}, false), false, false);
    ASSERT_EQ(plan.size(), 12u);
    for (size_t k = 0; k < plan.size(); ++k) {
        SCOPED_TRACE("interrupted before step " + std::to_string(k) + ": " + plan[k].describe());
        commands::UpHooks hooks;
        hooks.before_action = [k](size_t index, const engine::Action&) {
            if (index == k) throw InfraError("interrupted (test)");
        };
        EXPECT_THROW(up(hooks), InfraError);
        up();
        auto now = snapshot();
        ASSERT_EQ(ours(now), reference);
        for (const auto& key : reference) {
            // Same object as a clean run, down to the XML; only the UUID is new.
            EXPECT_EQ(without_uuid(now.objects.at(key)), without_uuid(reference_xml.at(key)))
                << key;
        }
        down();
        ASSERT_TRUE(ours(snapshot()).empty());
    }
}

TEST_F(VirtEngine, DownAfterInterruptionRemovesEverythingOfOurs) {
    remember_stock();
    auto lab = labfile::load_lab_or_throw(lab_file_.string());
    auto plan = engine::make_plan(
        *keeper_, engine::desired_state(lab, virt::DomainKind::qemu, {}, false), false, false);
    for (size_t k = 0; k < plan.size(); ++k) {
        SCOPED_TRACE("interrupted before step " + std::to_string(k));
        commands::UpHooks hooks;
        hooks.before_action = [k](size_t index, const engine::Action&) {
            if (index == k) throw InfraError("interrupted (test)");
        };
        EXPECT_THROW(up(hooks), InfraError);
        down();
        EXPECT_TRUE(ours(snapshot()).empty());
        EXPECT_EQ(snapshot(), stock_);
    }
}

namespace {
const char* kForeignDomain = R"(<domain type='test'><name>mom-foreign</name><memory>65536</memory>
<os><type>hvm</type></os></domain>)";
const char* kForeignNetwork =
    R"(<network><name>mom-other</name><ip address='10.9.9.1' netmask='255.255.255.0'/></network>)";
// Tagged, but for another lab.
const char* kOtherLabDomain = R"(<domain type='test'><name>momx-server1</name><memory>65536</memory>
<metadata><labctl:lab xmlns:labctl="https://labctl.dev/xmlns/1" name="momx" node="server1"/></metadata>
<os><type>hvm</type></os></domain>)";
}  // namespace

TEST_F(VirtEngine, DownRemovesExactlyOursAndASecondDownIsANoOp) {
    virt::DomainPtr foreign(virDomainDefineXML(keeper_->get(), kForeignDomain));
    ASSERT_TRUE(foreign);
    virt::DomainPtr other(virDomainDefineXML(keeper_->get(), kOtherLabDomain));
    ASSERT_TRUE(other);
    virt::NetworkPtr foreign_net(virNetworkDefineXML(keeper_->get(), kForeignNetwork));
    ASSERT_TRUE(foreign_net);
    remember_stock();

    up();
    std::string out = down();
    EXPECT_NE(out.find("domain mom-server1  removed"), std::string::npos) << out;
    EXPECT_NE(out.find("pool mom-pool  removed"), std::string::npos) << out;
    EXPECT_EQ(snapshot(), stock_);  // the foreign objects, same XML, still there
    EXPECT_FALSE(fs::exists(root_ / "home/labs/mom/disks"));
    auto record = engine::load_record(root_ / "home/labs/mom");
    ASSERT_TRUE(record);  // still says where the lab lived, but owns nothing any more
    EXPECT_EQ(record->uri, kUri);
    EXPECT_TRUE(record->pool.empty());

    // Without --connect, the second down finds the same libvirt through the record.
    global_.connect.clear();

    std::string again = down();
    EXPECT_NE(again.find("nothing to remove"), std::string::npos) << again;
    EXPECT_EQ(snapshot(), stock_);
}

TEST_F(VirtEngine, DownByLabNameWorksWithoutTheFileAndKeepDisksKeepsThePool) {
    remember_stock();
    up();
    fs::remove(lab_file_);
    commands::DownOptions options;
    options.lab = "mom";
    options.keep_disks = true;
    global_.connect.clear();  // the URI comes from the lab's record
    std::string out = down(options);
    auto left = ours(snapshot());
    EXPECT_EQ(left, (std::vector<std::string>{"pool:mom-pool", "volume:mom-pool/server1.qcow2",
                                              "volume:mom-pool/server2.qcow2"}))
        << out;
    options.keep_disks = false;
    down(options);
    EXPECT_EQ(snapshot(), stock_);
}

TEST_F(VirtEngine, UpRefusesToTouchAnUntaggedObjectWithItsName) {
    const char* squatter =
        R"(<network><name>mom-nat</name><ip address='10.8.8.1' netmask='255.255.255.0'/></network>)";
    virt::NetworkPtr net(virNetworkDefineXML(keeper_->get(), squatter));
    ASSERT_TRUE(net);
    auto before = virt::Connection::xml_of(net.get());
    try {
        up();
        FAIL() << "up used a network it does not own";
    } catch (const InfraError& error) {
        EXPECT_NE(std::string(error.what()).find("mom-nat"), std::string::npos) << error.what();
    }
    EXPECT_EQ(virt::Connection::xml_of(keeper_->network("mom-nat").get()), before);
    down();  // and down leaves it alone too
    EXPECT_TRUE(keeper_->network("mom-nat"));
}

TEST_F(VirtEngine, StatusReportsStateAndAddressesInSpecShape) {
    up();
    std::ostringstream out;
    commands::StatusOptions options;
    options.json = true;
    commands::run_status(global_, options, out);
    auto j = nlohmann::json::parse(out.str());
    EXPECT_EQ(j["lab"], "mom");
    EXPECT_EQ(j["driver"], "qemu");
    ASSERT_EQ(j["nodes"].size(), 2u);
    EXPECT_EQ(j["nodes"][0]["name"], "server1");
    EXPECT_EQ(j["nodes"][0]["state"], "running");
    // The plan, and no observed address: the test driver's guests are never asked, and a
    // planned address nobody observed is never shown as the node's own.
    EXPECT_EQ(j["nodes"][0]["planned"]["hostonly"], "192.168.56.11");
    EXPECT_EQ(j["nodes"][0]["planned"]["nat"], "192.168.123.100");
    EXPECT_TRUE(j["nodes"][0]["addresses"]["hostonly"].is_null());
    EXPECT_TRUE(j["nodes"][0]["addresses"]["nat"].is_null());
    EXPECT_EQ(j["nodes"][0]["addresses_as_planned"], false);
    EXPECT_EQ(j["nodes"][0]["ssh"], false);  // never probed on the test driver
    EXPECT_TRUE(j["nodes"][0]["services"].is_array());

    virt::DomainPtr d = keeper_->domain("mom-server2");
    ASSERT_EQ(virDomainDestroy(d.get()), 0);
    std::ostringstream table;
    commands::run_status(global_, {}, table);
    EXPECT_NE(table.str().find("shut off"), std::string::npos) << table.str();
    // up starts the stopped domain again, and only that.
    std::string again = up();
    EXPECT_NE(again.find("domain mom-server2  started"), std::string::npos) << again;
    EXPECT_NE(again.find("1 libvirt change(s)"), std::string::npos) << again;
}

TEST_F(VirtEngine, SeedWriterRunsOnceBeforeTheDomainIsDefined) {
    RecordingSeeds seeds;
    commands::UpHooks hooks;
    hooks.seeds = &seeds;
    up(hooks);
    EXPECT_EQ(seeds.calls, (std::vector<std::string>{"server1", "server2"}));
    auto seed = root_ / "home/labs/mom/seeds/server1.img";
    EXPECT_TRUE(fs::exists(seed));
    virt::XmlDoc dom(virt::Connection::xml_of(keeper_->domain("mom-server1").get()));
    EXPECT_EQ(dom.value("/domain/devices/disk[target/@dev='vdb']/source/@file"), seed.string());
    up(hooks);
    EXPECT_EQ(seeds.calls.size(), 2u);
}

TEST_F(VirtEngine, OnlyAndJobsSelectNodes) {
    commands::UpOptions options;
    options.only = {"server2"};
    options.jobs = 1;
    up({}, options);
    EXPECT_FALSE(keeper_->domain("mom-server1"));
    EXPECT_TRUE(keeper_->domain("mom-server2"));
    options.only = {"nope"};
    EXPECT_THROW(up({}, options), InputError);
}

TEST_F(VirtEngine, DryRunPrintsThePlanAndChangesNothing) {
    remember_stock();
    commands::UpOptions options;
    options.dry_run = true;
    std::string out = up({}, options);
    EXPECT_NE(out.find("would network mom-hostonly  define"), std::string::npos) << out;
    EXPECT_NE(out.find("12 change(s) planned"), std::string::npos) << out;
    EXPECT_EQ(snapshot(), stock_);
}

TEST_F(VirtEngine, LxcNodesGetAnOverlayEachThatDownUnmounts) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
    remember_stock();
    global_.driver = "lxc";
    RecordingSeeds seeds;
    commands::UpHooks hooks;
    hooks.seeds = &seeds;
    std::string out = up(hooks);
    auto merged = root_ / "home/labs/mom/overlays/server1/merged";
    ASSERT_TRUE(engine::is_mount_point(merged)) << out;
    EXPECT_TRUE(fs::exists(merged / "etc/os-release"));  // the image's rootfs shows through
    // The seed went through the overlay into the node's upper dir, not into the image.
    EXPECT_TRUE(fs::exists(root_ / "home/labs/mom/overlays/server1/upper/etc/hostname"));
    EXPECT_FALSE(fs::exists(root_ / "home/images/debian-12-lab/rootfs/etc/hostname"));
    virt::XmlDoc dom(virt::Connection::xml_of(keeper_->domain("mom-server1").get()));
    EXPECT_EQ(dom.value("/domain/@type"), "lxc");
    EXPECT_EQ(dom.value("/domain/devices/filesystem/source/@dir"), merged.string());
    EXPECT_TRUE(ours(snapshot()).size() == 4u);  // 2 networks, 2 domains; no pool for lxc

    global_.driver.clear();  // `auto` now keeps the recorded driver; down takes it from there too
    std::string again = up(hooks);
    EXPECT_NE(again.find("driver lxc"), std::string::npos) << again;
    EXPECT_NE(again.find("nothing changed"), std::string::npos) << again;
    EXPECT_EQ(again.find("warning"), std::string::npos) << again;

    down();
    EXPECT_FALSE(engine::is_mount_point(merged));
    EXPECT_FALSE(fs::exists(root_ / "home/labs/mom/overlays"));
    EXPECT_EQ(snapshot(), stock_);
}

TEST_F(VirtEngine, SecondLabctlOnALockedLabExitsFourNamingTheHolder) {
    engine::LabLock held(root_ / "home/labs/mom", "mom", "up");
    try {
        up();
        FAIL() << "not locked";
    } catch (const LockedError& error) {
        EXPECT_EQ(error.code(), ExitCode::locked);
        EXPECT_NE(std::string(error.what()).find("pid " + std::to_string(::getpid())),
                  std::string::npos)
            << error.what();
    }
    // The real binary, as a second process: exit 4 at once.
    auto start = std::chrono::steady_clock::now();
    auto result =
        util::run_process({"env", "LABCTL_HOME=" + (root_ / "home").string(), LABCTL_BINARY, "-f",
                           lab_file_.string(), "--connect", kUri, "down"});
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_NE(result.err.find("locked by labctl up"), std::string::npos) << result.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(VirtTarget, UriAndDriverPrecedence) {
    ::setenv("LIBVIRT_DEFAULT_URI", "qemu:///session", 1);
    EXPECT_EQ(engine::choose_uri("test:///default", "qemu:///x", topo::Driver::qemu),
              "test:///default");
    EXPECT_EQ(engine::choose_uri("", "qemu:///x", topo::Driver::qemu), "qemu:///x");
    EXPECT_EQ(engine::choose_uri("", "", topo::Driver::qemu), "qemu:///session");
    EXPECT_EQ(engine::choose_uri("", "", topo::Driver::lxc), "lxc:///system");
    ::unsetenv("LIBVIRT_DEFAULT_URI");
    EXPECT_EQ(engine::choose_uri("", "", topo::Driver::automatic), "qemu:///system");
    EXPECT_EQ(engine::requested_driver("lxc", topo::Driver::qemu), topo::Driver::lxc);
    EXPECT_EQ(engine::requested_driver("", topo::Driver::kvm), topo::Driver::kvm);
    EXPECT_THROW(engine::requested_driver("xen", topo::Driver::kvm), InputError);
    virt::Connection test(kUri);
    EXPECT_EQ(engine::resolve_driver(topo::Driver::automatic, test), virt::DomainKind::qemu);
}

TEST(VirtConnection, LibvirtErrorsBecomeInfraErrorsWithStep) {
    try {
        virt::Connection bad("test:///nonexistent/file.xml");
        FAIL();
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "connect");
        EXPECT_NE(std::string(error.what()).find("test:///nonexistent/file.xml"),
                  std::string::npos);
    }
}

TEST_F(VirtEngine, AnEditedTopologyIsReportedNotAppliedBehindTheUsersBack) {
    up();
    auto before = snapshot();
    std::string edited = kLab;
    edited.replace(edited.find("memory = 768"), 12, "memory = 1024");
    edited.replace(edited.find("192.168.56.12"), 13, "192.168.56.13");
    std::ofstream(lab_file_) << edited;
    std::string out = up();
    EXPECT_NE(out.find("warning: domain mom-server2: memory (KiB) is 786432 in libvirt, 1048576"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("warning: network mom-hostonly: reservations"), std::string::npos) << out;
    EXPECT_NE(out.find("nothing changed"), std::string::npos) << out;
    EXPECT_EQ(snapshot(), before);
}

TEST_F(VirtEngine, StatusBeforeUpSaysAbsent) {
    std::ostringstream out;
    commands::run_status(global_, {}, out);
    EXPECT_NE(out.str().find("server1          absent"), std::string::npos) << out.str();
}

TEST_F(VirtEngine, CloudImageNodesCloneTheUserFileBootFromDiskAndGetACidataSeed) {
    fs::create_directories(root_ / "images");
    auto qcow2 = root_ / "images/cloud.qcow2";
    auto raw = root_ / "images/cloud.raw";
    ASSERT_EQ(util::run_process({"qemu-img", "create", "-q", "-f", "qcow2", qcow2.string(), "1G"})
                  .exit_code,
              0);
    ASSERT_EQ(util::run_process({"qemu-img", "create", "-q", "-f", "raw", raw.string(), "256M"})
                  .exit_code,
              0);
    auto before = util::read_file(qcow2);
    std::ofstream(lab_file_) << R"([lab]
name = "mom"

[networks.hostonly]
mode = "host-only"
subnet = "192.168.56.0/24"

[nodes.cloud1]
image = "images/cloud.qcow2"
networks = { hostonly = "192.168.56.11" }

[nodes.cloud2]
image = ")" + raw.string() + R"("
networks = { hostonly = "192.168.56.12" }
)";
    remember_stock();
    RecordingSeeds seeds;
    commands::UpHooks hooks;
    hooks.seeds = &seeds;
    up(hooks);
    using K = engine::SeedTarget::Kind;
    EXPECT_EQ(seeds.kinds, (std::vector<K>{K::cloud_init_disk, K::cloud_init_disk}));
    auto state = root_ / "home/labs/mom";
    EXPECT_TRUE(fs::exists(state / "seeds/cloud1-cidata.img"));

    virt::XmlDoc dom(virt::Connection::xml_of(keeper_->domain("mom-cloud1").get()));
    EXPECT_TRUE(dom.values("/domain/os/kernel").empty());
    EXPECT_EQ(dom.value("/domain/os/boot/@dev"), "hd");
    EXPECT_EQ(dom.value("/domain/devices/disk[target/@dev='vda']/source/@file"),
              (state / "disks/cloud1.qcow2").string());
    EXPECT_EQ(dom.value("/domain/devices/disk[target/@dev='vdb']/source/@file"),
              (state / "seeds/cloud1-cidata.img").string());

    auto after = snapshot();
    virt::XmlDoc vol1(after.objects.at("volume:mom-pool/cloud1.qcow2"));
    EXPECT_EQ(vol1.value("/volume/backingStore/path"), qcow2.string());
    EXPECT_EQ(vol1.value("/volume/backingStore/format/@type"), "qcow2");
    EXPECT_EQ(vol1.value("/volume/capacity"), std::to_string(1LL << 30));
    virt::XmlDoc vol2(after.objects.at("volume:mom-pool/cloud2.qcow2"));
    EXPECT_EQ(vol2.value("/volume/backingStore/path"), raw.string());
    EXPECT_EQ(vol2.value("/volume/backingStore/format/@type"), "raw");
    EXPECT_EQ(vol2.value("/volume/capacity"), std::to_string(256LL << 20));

    std::string again = up(hooks);
    EXPECT_NE(again.find("nothing changed"), std::string::npos) << again;

    down();
    EXPECT_TRUE(ours(snapshot()).empty());
    EXPECT_FALSE(fs::exists(state / "seeds"));
    EXPECT_EQ(util::read_file(qcow2), before);  // the user's file: untouched
    EXPECT_TRUE(fs::exists(raw));
}

TEST_F(VirtEngine, CloudImageErrorsAreInputErrorsAtTheImageLineBeforeAnythingExists) {
    std::ofstream(lab_file_) << R"([lab]
name = "mom"

[networks.hostonly]
mode = "host-only"
subnet = "192.168.56.0/24"

[nodes.cloud1]
image = "images/missing.qcow2"
networks = { hostonly = "192.168.56.11" }
)";
    remember_stock();
    auto message = [&] {
        try {
            up();
        } catch (const DiagnosticsError& error) {
            EXPECT_EQ(error.code(), ExitCode::invalid_input);
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message(),
              lab_file_.string() +
                  ":9:9: error: node `cloud1`: image `images/missing.qcow2`: no such file " +
                  (root_ / "images/missing.qcow2").string());
    global_.driver = "lxc";
    EXPECT_NE(message().find(":9:9: error: node `cloud1`: image `images/missing.qcow2`: a disk "
                             "image needs a VM driver"),
              std::string::npos);
    EXPECT_EQ(snapshot(), stock_);
}

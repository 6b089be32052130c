// `labctl snapshot`: the name rule, the store (manifests, list JSON, partial saves, the lab's
// state files), the snapshot XML, and save/restore/list/rm of a QEMU lab against libvirt's real
// test:///default driver (in-process: its objects live as long as one connection is open).
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands/lab_commands.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/up.hpp"
#include "engine/lab_freeze.hpp"
#include "engine/snapshot_store.hpp"
#include "engine/stopped_nodes.hpp"
#include "lab_fixtures.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"

using namespace labctl;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUri = "test:///default";

class Snapshot : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/labctl-snapshot-XXXXXX";
        ASSERT_TRUE(::mkdtemp(tmpl));
        root_ = tmpl;
        ::setenv("LABCTL_HOME", (root_ / "home").c_str(), 1);
        test::fake_base_image(root_ / "home");
        keeper_ = std::make_unique<virt::Connection>(kUri);
        global_.connect = kUri;
        global_.driver = "qemu";
        fs::create_directories(root_ / "snap");
        global_.file = test::write_lab(root_ / "snap",
                                       "[lab]\nname = \"snap\"\n\n[networks.net]\nmode = "
                                       "\"host-only\"\nsubnet = \"10.78.1.0/24\"\n\n[nodes.n1]\n"
                                       "networks = { net = \"10.78.1.11\" }\n\n[nodes.n2]\n"
                                       "networks = { net = \"10.78.1.12\" }\n")
                           .string();
        state_dir_ = root_ / "home/labs/snap";
    }
    void TearDown() override {
        keeper_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
        ::unsetenv("LABCTL_HOME");
    }

    void up() {
        std::ostringstream out;
        commands::up_lab(global_, {}, out, {});
    }
    std::string snapshot(const std::string& action, const std::string& name = {}) {
        commands::SnapshotOptions options;
        options.action = action;
        options.name = name;
        options.json = action == "list";
        std::ostringstream out;
        commands::run_snapshot(global_, options, out);
        return out.str();
    }
    bool has_libvirt_snapshot(const std::string& domain, const std::string& name) {
        auto d = keeper_->domain(domain);
        return d && virt::Connection::has_snapshot(d.get(), name);
    }

    fs::path root_, state_dir_;
    std::unique_ptr<virt::Connection> keeper_;
    commands::GlobalOptions global_;
};

}  // namespace

TEST(SnapshotName, FollowsTheLabNameRule) {
    for (const char* good : {"s1", "before-lab3", "a", "abcdefghijklmnopqrstuvwxyz01234"})
        EXPECT_TRUE(engine::is_snapshot_name(good)) << good;
    for (const char* bad :
         {"", "S1", "1st", "-x", "a_b", "a.b", "../x", "a/b", "abcdefghijklmnopqrstuvwxyz012345"})
        EXPECT_FALSE(engine::is_snapshot_name(bad)) << bad;
    EXPECT_THROW(engine::check_snapshot_name("../x"), InputError);
    EXPECT_THROW(engine::snapshot_dir("/tmp/lab", "a/b"), InputError);
    EXPECT_EQ(engine::libvirt_snapshot_name("s1"), "labctl-s1");
}

TEST(SnapshotStore, ListsCompleteSnapshotsOldestFirstAsJsonAndSkipsPartialSaves) {
    test::TempDir dir;
    fs::path state = dir.path();
    engine::SnapshotInfo later{"later", "2026-01-02T00:00:00Z", 2048, {"n1", "n2"}, {"n1"}, "lxc",
                               1.5};
    engine::SnapshotInfo first{"first", "2026-01-01T00:00:00Z", 10, {"n1"}, {}, "qemu", 0.2};
    for (const auto& info : {later, first}) {
        util::make_dirs(engine::snapshot_dir(state, info.name), 0700);
        engine::write_manifest(engine::snapshot_dir(state, info.name), info);
    }
    // An interrupted save: a partial directory with or without a manifest is never listed.
    util::make_dirs(engine::partial_snapshot_dir(state, "cut"), 0700);
    engine::write_manifest(engine::partial_snapshot_dir(state, "cut"), first);
    util::make_dirs(engine::snapshots_dir(state) / "nomanifest", 0700);

    auto list = engine::list_snapshots(state);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "first");
    EXPECT_EQ(list[1].name, "later");
    auto json = engine::snapshot_list_json("lab1", list);
    EXPECT_EQ(json["lab"], "lab1");
    EXPECT_EQ(json["snapshots"][1]["name"], "later");
    EXPECT_EQ(json["snapshots"][1]["created"], "2026-01-02T00:00:00Z");
    EXPECT_EQ(json["snapshots"][1]["size_bytes"], 2048);
    EXPECT_EQ(json["snapshots"][1]["nodes"], nlohmann::json({"n1", "n2"}));
    auto text = engine::snapshot_list_text("lab1", list);
    EXPECT_NE(text.find("later"), std::string::npos) << text;
    EXPECT_NE(text.find("2.0 KiB"), std::string::npos) << text;
    EXPECT_EQ(engine::snapshot_list_text("lab1", {}), "lab lab1 has no snapshot\n");
    EXPECT_EQ(engine::require_snapshot(state, "lab1", "first").driver, "qemu");
    try {
        engine::require_snapshot(state, "lab1", "cut");
        FAIL() << "a partial save was found";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find("lab lab1 has no snapshot `cut`"),
                  std::string::npos);
    }
}

TEST(SnapshotStore, LabStateRoundTripsWithModesAndDropsWhatWasNotThere) {
    test::TempDir dir;
    fs::path state = dir.path() / "lab";
    util::make_dirs(state / "ssh", 0700);
    util::write_file_atomic(state / "ssh/known_hosts", "n1 ssh-ed25519 AAAAold\n", 0600);
    util::write_file_atomic(state / "objects.json", "{\"lab\": \"x\"}\n", 0600);
    engine::save_lab_state(state, dir.path() / "saved");
    EXPECT_TRUE(fs::exists(dir.path() / "saved/ssh/known_hosts"));
    EXPECT_FALSE(fs::exists(dir.path() / "saved/objects.json"));  // the libvirt record stays

    util::write_file_atomic(state / "ssh/known_hosts", "n1 ssh-ed25519 AAAAnew\n", 0600);
    engine::save_stopped_nodes(state, {"n2"});
    util::write_file_atomic(state / "objects.json", "{\"lab\": \"y\"}\n", 0600);
    engine::restore_lab_state(dir.path() / "saved", state);
    EXPECT_EQ(util::read_file(state / "ssh/known_hosts"), "n1 ssh-ed25519 AAAAold\n");
    struct stat st {};
    ASSERT_EQ(::stat((state / "ssh/known_hosts").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_TRUE(engine::load_stopped_nodes(state).empty());  // not stopped at the save
    EXPECT_EQ(util::read_file(state / "objects.json"), "{\"lab\": \"y\"}\n");
    for (const auto& entry : fs::directory_iterator(state))  // nothing left aside
        EXPECT_NE(entry.path().filename().string()[0], '.') << entry.path();
}

TEST(SnapshotXml, InternalWithMemoryAndTheSeedDiskSkipped) {
    virt::SnapshotSpec spec{"labctl-s1", "labctl snapshot s1 of lab <x>", {"vda"}, {"vdb"}, true};
    std::string xml = virt::snapshot_xml(spec);
    EXPECT_NE(xml.find("<name>labctl-s1</name>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("of lab &lt;x&gt;"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<memory snapshot=\"internal\"/>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<disk name=\"vda\" snapshot=\"internal\"/>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<disk name=\"vdb\" snapshot=\"no\"/>"), std::string::npos) << xml;
    spec.memory = false;
    EXPECT_NE(virt::snapshot_xml(spec).find("<memory snapshot=\"no\"/>"), std::string::npos);
}

TEST_F(Snapshot, FrozenDomainsPausesRunningOnesAndResumesThemOnUnwind) {
    up();
    auto n1 = keeper_->domain("snap-n1");
    auto n2 = keeper_->domain("snap-n2");
    keeper_->power_off_domain(n2.get(), "n2");
    std::ostringstream out;
    util::Reporter report(out, 0);
    try {
        engine::FrozenDomains frozen(*keeper_, {{"n1", n1.get()}, {"n2", n2.get()}}, report);
        EXPECT_EQ(frozen.count(), 1u);
        EXPECT_EQ(virt::Connection::state_of(n1.get()), virt::DomainState::paused);
        throw std::runtime_error("the save failed half-way");
    } catch (const std::runtime_error&) {
    }
    EXPECT_EQ(virt::Connection::state_of(n1.get()), virt::DomainState::running);
    EXPECT_EQ(virt::Connection::state_of(n2.get()), virt::DomainState::shut_off);
}

TEST_F(Snapshot, SaveListRestoreRmOnVmsThroughLibvirtSnapshots) {
    up();
    engine::save_stopped_nodes(state_dir_, {});
    auto saved = snapshot("save", "s1");
    EXPECT_NE(saved.find("snapshot s1  saved: 2 nodes"), std::string::npos) << saved;
    EXPECT_TRUE(has_libvirt_snapshot("snap-n1", "labctl-s1"));
    EXPECT_TRUE(has_libvirt_snapshot("snap-n2", "labctl-s1"));
    // Every domain runs again after the save.
    EXPECT_EQ(virt::Connection::state_of(keeper_->domain("snap-n1").get()),
              virt::DomainState::running);

    auto list = nlohmann::json::parse(snapshot("list"));
    ASSERT_EQ(list["snapshots"].size(), 1u) << list.dump();
    EXPECT_EQ(list["snapshots"][0]["name"], "s1");
    EXPECT_EQ(list["snapshots"][0]["nodes"], nlohmann::json({"n1", "n2"}));
    EXPECT_EQ(list["snapshots"][0]["driver"], "qemu");

    // The same name again is refused; an interrupted save (a partial dir) is redone.
    EXPECT_THROW(snapshot("save", "s1"), InputError);
    util::make_dirs(engine::partial_snapshot_dir(state_dir_, "s2") / "upper/junk", 0700);
    snapshot("save", "s2");
    EXPECT_FALSE(fs::exists(engine::partial_snapshot_dir(state_dir_, "s2")));

    // The known_hosts pinned at the save comes back with the disks.
    fs::path known_hosts = state_dir_ / "ssh/known_hosts";
    std::string pinned = fs::exists(known_hosts) ? util::read_file(known_hosts) : "";
    util::make_dirs(known_hosts.parent_path(), 0700);
    util::write_file_atomic(known_hosts, "changed\n", 0600);
    auto restored = snapshot("restore", "s1");
    EXPECT_NE(restored.find("snapshot s1  restored: 2 nodes"), std::string::npos) << restored;
    EXPECT_EQ(fs::exists(known_hosts) ? util::read_file(known_hosts) : "", pinned);
    EXPECT_EQ(virt::Connection::state_of(keeper_->domain("snap-n2").get()),
              virt::DomainState::running);

    EXPECT_THROW(snapshot("restore", "nope"), InputError);
    snapshot("rm", "s1");
    EXPECT_FALSE(has_libvirt_snapshot("snap-n1", "labctl-s1"));
    EXPECT_TRUE(has_libvirt_snapshot("snap-n1", "labctl-s2"));
    EXPECT_THROW(snapshot("rm", "s1"), InputError);
    EXPECT_THROW(snapshot("save", "Bad_Name"), InputError);

    // `down` takes the lab's snapshots with it.
    std::ostringstream out;
    commands::run_down(global_, {}, out);
    EXPECT_FALSE(fs::exists(engine::snapshots_dir(state_dir_)));
}

TEST_F(Snapshot, SaveOnALabThatIsNotUpIsInfraError) {
    EXPECT_THROW(snapshot("save", "s1"), InfraError);
    EXPECT_EQ(nlohmann::json::parse(snapshot("list"))["snapshots"].size(), 0u);
}

TEST(SnapshotCli, ABadOrMissingNameExitsTwoBeforeAnythingIsRead) {
    auto bad = test::run_labctl({"-f", "/nonexistent/lab.toml", "snapshot", "save", "Bad_Name"});
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_NE(bad.err.find("bad snapshot name `Bad_Name`"), std::string::npos) << bad.err;
    auto missing = test::run_labctl({"snapshot", "restore"});
    EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

// The node seed tree and disk, and the image store, with real tools (ssh-keygen,
// mkfs.ext4, debugfs, blkid) on temporary directories. Building a real image needs root and
// the Debian archive: tests/e2e/image_smoke.sh does that.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "image/image_build.hpp"
#include "image/image_store.hpp"
#include "image/seed.hpp"
#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace fs = std::filesystem;
using namespace labctl;

namespace {

using test::TempDir;

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// server2 lists its NAT NIC first, with a fixed address, and has a user of its own.
const std::string seed_lab_text = test::two_network_lab("seedlab") + R"(
[nodes.server1]
networks = { hostonly = "192.168.56.11", nat = "dhcp" }

[nodes.server2]
networks = { nat = "192.168.123.12", hostonly = "dhcp" }
user = "alice"
)";

render::NodeIdentity make_identity(const fs::path& dir, const std::string& node) {
    auto key = dir / ("host-" + node);
    auto lab_key = dir / "lab";
    if (!fs::exists(lab_key)) {
        EXPECT_EQ(util::run_process(
                      {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", lab_key.string()})
                      .exit_code,
                  0);
    }
    EXPECT_EQ(util::run_process({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.string()})
                  .exit_code,
              0);
    return {util::read_file(lab_key.string() + ".pub"), util::read_file(key),
            util::read_file(key.string() + ".pub")};
}

std::string read(const fs::path& path) {
    return util::read_file(path);
}

}  // namespace

TEST(Seed, TreeHoldsIdentityAndOneNetworkFilePerNic) {
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    auto identity = make_identity(tmp.path(), "server1");
    auto dir = tmp.path() / "seed";
    image::write_seed_tree(lab, *lab.node("server1"), identity, dir);

    EXPECT_EQ(mode_of(dir), 0700u);
    EXPECT_EQ(read(dir / "user"), "lab\n");
    EXPECT_EQ(read(dir / "authorized_keys"), identity.authorized_key);
    EXPECT_EQ(read(dir / "root/etc/hostname"), "server1\n");
    EXPECT_EQ(mode_of(dir / "root/etc/ssh/ssh_host_ed25519_key"), 0600u);
    EXPECT_EQ(read(dir / "root/etc/ssh/ssh_host_ed25519_key"), identity.host_key_private);
    EXPECT_EQ(read(dir / "root/etc/ssh/ssh_host_ed25519_key.pub"), identity.host_key_public);
    EXPECT_EQ(mode_of(dir / "root/etc/sudoers.d/labctl"), 0440u);
    EXPECT_NE(read(dir / "root/etc/sudoers.d/labctl").find("lab ALL=(ALL) NOPASSWD:ALL"),
              std::string::npos);

    const auto* node = lab.node("server1");
    auto nic0 = read(dir / "root/etc/systemd/network/10-labctl-nic0.network");
    EXPECT_NE(nic0.find("MACAddress=" + node->nics[0].mac), std::string::npos);
    EXPECT_NE(nic0.find("Address=192.168.56.11/24"), std::string::npos);
    EXPECT_EQ(nic0.find("Gateway="), std::string::npos)
        << "host-only never carries the default route";
    auto nic1 = read(dir / "root/etc/systemd/network/10-labctl-nic1.network");
    EXPECT_NE(nic1.find("MACAddress=" + node->nics[1].mac), std::string::npos);
    EXPECT_NE(nic1.find("DHCP=ipv4"), std::string::npos);
    EXPECT_NE(nic1.find("ClientIdentifier=mac"), std::string::npos);
    EXPECT_NE(nic1.find(node->nics[1].planned.str()), std::string::npos);
    EXPECT_NE(read(dir / "root/etc/resolv.conf").find("nameserver 192.168.123.1"),
              std::string::npos);
    EXPECT_NE(read(dir / "root/etc/hosts")
                  .find(lab.address_between(*lab.node("server1"), *lab.node("server2"))->str() +
                        "\tserver2"),
              std::string::npos);
}

TEST(Seed, StaticNatNicCarriesGatewayAndDnsAndUserComesFromNode) {
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    auto dir = tmp.path() / "seed";
    image::write_seed_tree(lab, *lab.node("server2"), make_identity(tmp.path(), "server2"), dir);
    EXPECT_EQ(read(dir / "user"), "alice\n");
    auto nic0 = read(dir / "root/etc/systemd/network/10-labctl-nic0.network");
    EXPECT_NE(nic0.find("Address=192.168.123.12/24"), std::string::npos);
    EXPECT_NE(nic0.find("Gateway=192.168.123.1"), std::string::npos);
    EXPECT_NE(nic0.find("DNS=192.168.123.1"), std::string::npos);
    auto nic1 = read(dir / "root/etc/systemd/network/10-labctl-nic1.network");
    EXPECT_NE(nic1.find("UseRoutes=false"), std::string::npos)
        << "a dhcp host-only NIC must not take a route";
}

TEST(Seed, RefusesAnIdentityWithoutKeys) {
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    EXPECT_THROW(image::write_seed_tree(lab, *lab.node("server1"), {}, tmp.path() / "seed"),
                 InfraError);
    EXPECT_FALSE(fs::exists(tmp.path() / "seed"));
}

TEST(Seed, RewritingReplacesTheOldTree) {
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    auto dir = tmp.path() / "seed";
    image::write_seed_tree(lab, *lab.node("server1"), make_identity(tmp.path(), "server1"), dir);
    util::write_file_atomic(dir / "stale", "x");
    image::write_seed_tree(lab, *lab.node("server1"), make_identity(tmp.path(), "server1b"), dir);
    EXPECT_FALSE(fs::exists(dir / "stale"));
    EXPECT_FALSE(fs::exists(tmp.path() / "seed.tmp"));
}

TEST(Seed, DiskIsLabelledExt4WithTheTreeAndPrivate) {
    if (!util::find_program("mkfs.ext4") || !util::find_program("debugfs") ||
        !util::find_program("blkid"))
        GTEST_SKIP() << "e2fsprogs/util-linux missing";
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    auto dir = tmp.path() / "seed";
    image::write_seed_tree(lab, *lab.node("server1"), make_identity(tmp.path(), "server1"), dir);
    auto disk = tmp.path() / "seed.img";
    image::make_seed_disk(dir, disk);
    EXPECT_EQ(mode_of(disk), 0600u);
    auto label = util::run_process({"blkid", "-o", "value", "-s", "LABEL", disk.string()});
    EXPECT_EQ(label.out, std::string(image::seed_disk_label) + "\n");
    auto user = util::run_process({"debugfs", "-R", "cat /user", disk.string()});
    EXPECT_EQ(user.out, "lab\n");
    auto key = util::run_process(
        {"debugfs", "-R", "stat /root/etc/ssh/ssh_host_ed25519_key", disk.string()});
    EXPECT_NE(key.out.find("Mode:  0600"), std::string::npos) << key.out;
}

TEST(Seed, InstallInRootKeepsModes) {
    TempDir tmp;
    auto lab = test::load_lab(seed_lab_text);
    auto dir = tmp.path() / "seed";
    image::write_seed_tree(lab, *lab.node("server1"), make_identity(tmp.path(), "server1"), dir);
    auto root = tmp.path() / "upper";
    image::install_seed_in_root(dir, root);
    image::install_seed_in_root(dir, root);  // twice: replaces
    auto installed = root / image::seed_dir_in_root;
    EXPECT_EQ(mode_of(installed), 0700u);
    EXPECT_EQ(mode_of(installed / "root/etc/ssh/ssh_host_ed25519_key"), 0600u);
    EXPECT_EQ(read(installed / "root/etc/hostname"), "server1\n");
}

TEST(Seed, LxcInitWrapperIsAnExecutableScriptThatEndsInSystemd) {
    TempDir tmp;
    image::install_lxc_init(tmp.path(), "/usr/local/sbin/labctl-lxc-init");
    auto wrapper = tmp.path() / "usr/local/sbin/labctl-lxc-init";
    EXPECT_EQ(mode_of(wrapper), 0755u);
    auto text = read(wrapper);
    EXPECT_EQ(text.rfind("#!/bin/sh\n", 0), 0u);
    EXPECT_NE(text.find("exec /sbin/init \"$@\""), std::string::npos);
    // Real sh parses it (a syntax error would leave every LXC node without an init).
    auto check = util::run_process({"sh", "-n", wrapper.string()});
    EXPECT_EQ(check.exit_code, 0) << check.err;
}

TEST(Image, PackageHashIsStableAndCoversTheListTheBriefAsksFor) {
    EXPECT_EQ(image::packages_hash(), image::packages_hash());
    EXPECT_EQ(image::packages_hash().size(), 64u);
    const auto& packages = image::base_packages();
    for (const char* wanted :
         {"openssh-server", "python3", "nginx-light", "activemq", "rabbitmq-server",
          "mariadb-server", "linux-image-cloud-amd64", "systemd-sysv"})
        EXPECT_NE(std::find(packages.begin(), packages.end(), wanted), packages.end()) << wanted;
}

namespace {

struct CliResult {
    int code;
    std::string out;
    std::string err;
};

// Runs the labctl binary with LABCTL_HOME=HOME (and PATH=path when given).
CliResult run_labctl(const fs::path& home, const std::vector<std::string>& args,
                     const std::string& path = {}) {
    std::vector<std::string> argv{"env", "LABCTL_HOME=" + home.string()};
    if (!path.empty()) argv.push_back("PATH=" + path);
    argv.push_back(LABCTL_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = util::run_process(argv);
    return {result.exit_code, result.out, result.err};
}

void fake_image(const fs::path& home, const std::string& name, const std::string& hash) {
    auto dir = home / "images" / name;
    fs::create_directories(dir / "rootfs");
    util::write_file_atomic(dir / "disk.qcow2", std::string(4096, 'x'));
    nlohmann::json manifest{
        {"name", name}, {"packages_sha256", hash}, {"built", "2026-01-01T00:00:00Z"}};
    util::write_file_atomic(dir / "manifest.json", manifest.dump());
}

}  // namespace

TEST(ImageCli, ListShowsBuiltImagesAndSkipsBuildsInProgress) {
    TempDir home;
    fake_image(home.path(), "debian-12-lab", image::packages_hash());
    fake_image(home.path(), "old", "0000");
    fs::create_directories(home.path() / "images" / ".debian-12-lab.build-1");
    auto result = run_labctl(home.path(), {"image", "list", "--json"});
    ASSERT_EQ(result.code, 0) << result.err;
    auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json["images"].size(), 2u);
    EXPECT_EQ(json["images"][0]["name"], "debian-12-lab");
    EXPECT_EQ(json["images"][0]["current"], true);
    EXPECT_EQ(json["images"][1]["name"], "old");
    EXPECT_EQ(json["images"][1]["current"], false);
    EXPECT_GE(json["images"][0]["bytes"].get<std::uint64_t>(), 4096u);
    auto table = run_labctl(home.path(), {"image", "list"});
    EXPECT_NE(table.out.find("(outdated)"), std::string::npos) << table.out;
}

TEST(ImageCli, BuildReusesAnImageWithTheSamePackageList) {
    TempDir home;
    fake_image(home.path(), "debian-12-lab", image::packages_hash());
    auto result = run_labctl(home.path(), {"image", "build"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_NE(result.out.find("up to date"), std::string::npos) << result.out;
}

TEST(ImageCli, BuildWithoutMmdebstrapExitsThreeNamingIt) {
    TempDir home;
    // A PATH with sha256sum but without mmdebstrap.
    auto bin = home.path() / "bin";
    fs::create_directories(bin);
    fs::create_symlink(*util::find_program("sha256sum"), bin / "sha256sum");
    auto result = run_labctl(home.path(), {"image", "build", "--force"}, bin.string());
    EXPECT_EQ(result.code, 3);
    EXPECT_NE(result.err.find("mmdebstrap"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(home.path() / "images" / "debian-12-lab"));
}

namespace {

// A fake mmdebstrap at BIN/mmdebstrap running BODY: the build's logic is tested up to its
// first stage without building anything (a real image takes minutes and the archive).
void write_fake_mmdebstrap(const fs::path& bin, const std::string& body) {
    fs::create_directories(bin);
    util::write_file_atomic(bin / "mmdebstrap", "#!/bin/sh\n" + body, 0755);
}

// PATH with BIN first: the rest of the tools image build needs come from the real PATH.
std::string path_with(const fs::path& bin) {
    const char* path = std::getenv("PATH");
    return bin.string() + ":" + (path ? path : "/usr/bin:/bin");
}

// The part of `image build` before mmdebstrap needs root and these tools; skip without them.
bool can_reach_mmdebstrap() {
    if (::geteuid() != 0) return false;
    for (const char* tool : {"mkfs.ext4", "qemu-img", "chroot"})
        if (!util::find_program(tool)) return false;
    return true;
}

std::vector<std::string> build_dirs(const fs::path& home, const std::string& name) {
    std::vector<std::string> found;
    if (!fs::exists(home / "images")) return found;
    for (const auto& entry : fs::directory_iterator(home / "images")) {
        auto file = entry.path().filename().string();
        if (file.rfind("." + name + ".build-", 0) == 0 || file.rfind("." + name + ".old-", 0) == 0)
            found.push_back(file);
    }
    return found;
}

// Waits (up to 20 s) until FILE holds a complete line of pids, and returns them.
std::vector<pid_t> wait_for_pids(const fs::path& file) {
    for (auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
        if (!fs::exists(file)) continue;
        auto text = util::read_file(file);
        if (text.empty() || text.back() != '\n') continue;
        std::vector<pid_t> pids;
        for (const auto& word : util::split(util::trim(text), ' '))
            pids.push_back(static_cast<pid_t>(std::stoi(word)));
        return pids;
    }
    return {};
}

// Stands in for mmdebstrap: writes into the rootfs (its last argument), records labctl's pid
// and its own in MARKER, then runs up to 30 s; like mmdebstrap, it traps SIGINT and exits 1.
std::string slow_mmdebstrap(const fs::path& marker) {
    return "for last; do :; done\n"
           "mkdir -p \"$last/boot\" && touch \"$last/boot/half-written\"\n"
           "trap 'echo \"mmdebstrap: interrupted\" >&2; exit 1' INT\n"
           "echo \"$PPID $$\" > " +
           util::shell_quote(marker.string()) +
           "\n"
           "i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n";
}

}  // namespace

TEST(ImageCli, CtrlCDuringMmdebstrapExits130AndLeavesNoHalfImage) {
    if (!can_reach_mmdebstrap()) GTEST_SKIP() << "image build needs root, mkfs.ext4, qemu-img";
    TempDir home;
    auto marker = home.path() / "pids";
    write_fake_mmdebstrap(home.path() / "bin", slow_mmdebstrap(marker));
    bool half_image_seen = false;
    std::thread ctrl_c([&] {
        auto pids = wait_for_pids(marker);
        if (pids.size() != 2) return;
        auto work = home.path() / "images" / (".debian-12-lab.build-" + std::to_string(pids[0]));
        half_image_seen = fs::exists(work / "rootfs/boot/half-written");
        // What a terminal does on Ctrl-C: SIGINT to labctl's process group (the test started
        // labctl as a group leader; mmdebstrap has a group of its own).
        ::kill(-pids[0], SIGINT);
    });
    auto start = std::chrono::steady_clock::now();
    auto result =
        run_labctl(home.path(), {"image", "build", "--force"}, path_with(home.path() / "bin"));
    ctrl_c.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_TRUE(half_image_seen) << "the fake mmdebstrap never ran";
    EXPECT_EQ(result.code, 130) << result.err;
    EXPECT_LT(seconds, 20.0) << "mmdebstrap was not stopped";
    EXPECT_NE(result.err.find("labctl: interrupted by SIGINT while running mmdebstrap"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("error"), std::string::npos) << result.err;
    EXPECT_NE(result.out.find("(mmdebstrap) ... interrupted\n"), std::string::npos) << result.out;
    EXPECT_FALSE(fs::exists(home.path() / "images" / "debian-12-lab"));
    EXPECT_EQ(build_dirs(home.path(), "debian-12-lab"), std::vector<std::string>{})
        << "the half image was left behind";
}

TEST(ImageCli, TheNextBuildRemovesWhatAKilledBuildLeft) {
    if (!can_reach_mmdebstrap()) GTEST_SKIP() << "image build needs root, mkfs.ext4, qemu-img";
    TempDir home;
    auto marker = home.path() / "pids";
    write_fake_mmdebstrap(home.path() / "slow", slow_mmdebstrap(marker));
    pid_t labctl_pid = 0;
    std::thread kill_9([&] {
        auto pids = wait_for_pids(marker);
        if (pids.size() != 2) return;
        labctl_pid = pids[0];
        ::kill(pids[0], SIGKILL);   // no handler, no unwinding: the build dir stays
        ::kill(-pids[1], SIGKILL);  // and the orphaned mmdebstrap with its children
    });
    auto killed =
        run_labctl(home.path(), {"image", "build", "--force"}, path_with(home.path() / "slow"));
    kill_9.join();
    ASSERT_EQ(killed.code, 128 + SIGKILL) << killed.err;
    auto leftover = ".debian-12-lab.build-" + std::to_string(labctl_pid);
    ASSERT_TRUE(fs::exists(home.path() / "images" / leftover / "rootfs/boot/half-written"));
    // Leftovers whose pid is alive again (pid 1 always is) are as stale: the build lock says so.
    fs::create_directories(home.path() / "images/.debian-12-lab.build-1/rootfs");
    fs::create_directories(home.path() / "images/.debian-12-lab.old-1/rootfs");
    fs::create_directories(home.path() / "images/.other.build-1/rootfs");  // another image's

    write_fake_mmdebstrap(home.path() / "failing",
                          "echo 'E: cannot reach the archive' >&2\nexit 1\n");
    auto next =
        run_labctl(home.path(), {"image", "build", "--force"}, path_with(home.path() / "failing"));
    EXPECT_EQ(next.code, 3) << next.err;
    EXPECT_NE(next.err.find("mmdebstrap failed (exit 1)"), std::string::npos) << next.err;
    EXPECT_NE(next.err.find("E: cannot reach the archive"), std::string::npos) << next.err;
    EXPECT_EQ(build_dirs(home.path(), "debian-12-lab"), std::vector<std::string>{});
    EXPECT_TRUE(fs::exists(home.path() / "images/.other.build-1/rootfs"));
    EXPECT_FALSE(fs::exists(home.path() / "images" / "debian-12-lab"));
}

TEST(ImageCli, AnImageMovedAsideByAKilledBuildComesBack) {
    if (!can_reach_mmdebstrap()) GTEST_SKIP() << "image build needs root, mkfs.ext4, qemu-img";
    TempDir home;
    // What a build killed mid-swap leaves: the complete old image aside, none in place.
    auto aside = home.path() / "images/.debian-12-lab.old-1";
    fs::create_directories(aside / "rootfs");
    util::write_file_atomic(aside / "manifest.json", R"({"name": "debian-12-lab"})", 0644);
    write_fake_mmdebstrap(home.path() / "failing", "exit 1\n");
    auto next =
        run_labctl(home.path(), {"image", "build", "--force"}, path_with(home.path() / "failing"));
    EXPECT_EQ(next.code, 3) << next.err;
    EXPECT_TRUE(fs::exists(home.path() / "images/debian-12-lab/manifest.json"));
    EXPECT_TRUE(fs::exists(home.path() / "images/debian-12-lab/rootfs"));
    EXPECT_EQ(build_dirs(home.path(), "debian-12-lab"), std::vector<std::string>{});
}

TEST(ImageCli, RmRemovesAnImageAndRejectsUnknownNames) {
    TempDir home;
    fake_image(home.path(), "scratch", "1111");
    auto result = run_labctl(home.path(), {"image", "rm", "scratch"});
    EXPECT_EQ(result.code, 0) << result.err;
    EXPECT_FALSE(fs::exists(home.path() / "images" / "scratch"));
    EXPECT_EQ(run_labctl(home.path(), {"image", "rm", "scratch"}).code, 2);
    EXPECT_EQ(run_labctl(home.path(), {"image", "rm", "../labs"}).code, 2)
        << "names are validated, no paths";
}

// A user's cloud image as a node's image: the path rule and its resolution, the up-time
// checks (qemu-img on real files), and the cloud-init `cidata` seed disk (real mkfs.vfat,
// mcopy, blkid; the YAML parsed by python3-yaml). Booting one: tests/e2e/cloud_image.sh.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "image/cloud_image.hpp"
#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "render/node_files.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/process.hpp"

namespace fs = std::filesystem;
using namespace labctl;

namespace {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "labctl-cloud-test.XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

// Line 13 holds cloud1's image, line 17 cloud2's.
const std::string cloud_lab_text = test::two_network_lab("clouds") + R"(
[nodes.cloud1]
image = "images/cloud.qcow2"
networks = { hostonly = "192.168.56.11", nat = "dhcp" }

[nodes.cloud2]
image = "/elsewhere/cloud.raw"
networks = { nat = "192.168.123.12" }
user = "alice"

[nodes.plain]
networks = { hostonly = "192.168.56.13" }
)";

topo::Lab load_lab(const fs::path& dir) {
    auto file = dir / "lab.toml";
    std::ofstream(file) << cloud_lab_text;
    return labfile::load_lab_or_throw(file.string());
}

void qemu_img_create(const fs::path& path, const std::string& format) {
    auto result =
        util::run_process({"qemu-img", "create", "-q", "-f", format, path.string(), "64M"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
}

render::NodeIdentity make_identity(const fs::path& dir) {
    auto host = dir / "host";
    auto lab_key = dir / "lab";
    for (const auto& key : {host, lab_key})
        EXPECT_EQ(
            util::run_process({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.string()})
                .exit_code,
            0);
    return {util::read_file(lab_key.string() + ".pub"), util::read_file(host),
            util::read_file(host.string() + ".pub")};
}

std::string diagnostics_of(const topo::Lab& lab, bool vm) {
    try {
        image::check_cloud_images(lab, vm);
    } catch (const DiagnosticsError& error) {
        return error.what();
    }
    return "";
}

// YAML -> JSON through python3-yaml, so the tests read what cloud-init would parse.
std::string yaml_query(const std::string& yaml, const std::string& expression) {
    auto result = util::run_process(
        {"python3", "-c",
         "import sys, yaml, json; d = yaml.safe_load(sys.stdin); print(json.dumps(" + expression +
             "))"},
        yaml);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
}

// TEXT with surrounding whitespace removed, as JSON (what yaml_query prints for a string).
std::string json_string(const std::string& text) {
    return util::run_process(
               {"python3", "-c", "import sys, json; print(json.dumps(sys.stdin.read().strip()))"},
               text)
        .out;
}

}  // namespace

TEST(CloudImage, PathsAreCloudImagesAndResolveAgainstTheLabFile) {
    TempDir tmp;
    auto lab = load_lab(tmp.path());
    EXPECT_TRUE(lab.node("cloud1")->uses_cloud_image());
    EXPECT_TRUE(lab.node("cloud2")->uses_cloud_image());
    EXPECT_FALSE(lab.node("plain")->uses_cloud_image());
    EXPECT_EQ(lab.image_file(*lab.node("cloud1")), (tmp.path() / "images/cloud.qcow2").string());
    EXPECT_EQ(lab.image_file(*lab.node("cloud2")), "/elsewhere/cloud.raw");
    EXPECT_EQ(lab.node("cloud1")->image_pos.line, 13);
    EXPECT_EQ(lab.node("cloud1")->image_pos.col, 9);
}

TEST(CloudImage, MissingFilesAndForeignFormatsAreInputErrorsAtTheImageLine) {
    TempDir tmp;
    auto lab = load_lab(tmp.path());
    auto file = (tmp.path() / "lab.toml").string();
    auto text = diagnostics_of(lab, true);
    EXPECT_NE(
        text.find(file + ":13:9: error: node `cloud1`: image `images/cloud.qcow2`: no such file " +
                  (tmp.path() / "images/cloud.qcow2").string()),
        std::string::npos)
        << text;
    EXPECT_NE(text.find(file + ":17:9: error: node `cloud2`"), std::string::npos) << text;

    fs::create_directories(tmp.path() / "images");
    qemu_img_create(tmp.path() / "images/cloud.qcow2", "vmdk");
    text = diagnostics_of(lab, true);
    EXPECT_NE(text.find(":13:9: error: node `cloud1`: image `images/cloud.qcow2`: " +
                        (tmp.path() / "images/cloud.qcow2").string() +
                        " is a vmdk image; labctl boots qcow2 or raw disk images"),
              std::string::npos)
        << text;

    fs::remove(tmp.path() / "images/cloud.qcow2");
    qemu_img_create(tmp.path() / "images/cloud.qcow2", "qcow2");
    text = diagnostics_of(lab, true);
    EXPECT_EQ(text.find("cloud1"), std::string::npos) << text;
    auto info = image::inspect_disk_image(tmp.path() / "images/cloud.qcow2");
    EXPECT_EQ(info.format, "qcow2");
    EXPECT_EQ(info.virtual_size, 64 << 20);

    // Never writable by the guests: a read-only image file is fine.
    fs::permissions(tmp.path() / "images/cloud.qcow2", fs::perms::owner_read,
                    fs::perm_options::replace);
    EXPECT_EQ(diagnostics_of(lab, true).find("cloud1"), std::string::npos);
}

TEST(CloudImage, RawImagesPassAndLxcRefusesEveryDiskImage) {
    TempDir tmp;
    auto text = std::string(cloud_lab_text);
    text.replace(text.find("/elsewhere/cloud.raw"), 20, "cloud.raw");
    std::ofstream(tmp.path() / "lab.toml") << text;
    auto lab = labfile::load_lab_or_throw((tmp.path() / "lab.toml").string());
    fs::create_directories(tmp.path() / "images");
    qemu_img_create(tmp.path() / "images/cloud.qcow2", "qcow2");
    qemu_img_create(tmp.path() / "cloud.raw", "raw");
    EXPECT_EQ(diagnostics_of(lab, true), "");
    EXPECT_EQ(image::inspect_disk_image(tmp.path() / "cloud.raw").format, "raw");

    auto lxc = diagnostics_of(lab, false);
    EXPECT_NE(lxc.find(":13:9: error: node `cloud1`: image `images/cloud.qcow2`: a disk image "
                       "needs a VM driver"),
              std::string::npos)
        << lxc;
    EXPECT_NE(lxc.find(":17:9: error: node `cloud2`"), std::string::npos) << lxc;
    EXPECT_EQ(lxc.find("plain"), std::string::npos) << lxc;
}

TEST(CloudImage, SeedDiskIsAPrivateCidataFatWithTheRenderedFiles) {
    for (const char* tool : {"mkfs.vfat", "mcopy", "blkid"})
        if (!util::find_program(tool)) GTEST_SKIP() << tool << " missing (scripts/setup.sh)";
    TempDir tmp;
    auto lab = load_lab(tmp.path());
    const auto& node = *lab.node("cloud1");
    auto identity = make_identity(tmp.path());
    auto files = render::render_cloud_init(lab, node, render::TemplateSet{}, identity);
    auto tree = tmp.path() / "state/seeds/cloud1";
    auto disk = tmp.path() / "state/seeds/cloud1-cidata.img";
    image::make_cidata_disk(files, tree, disk);
    image::make_cidata_disk(files, tree, disk);  // twice: replaces

    EXPECT_EQ(mode_of(disk), 0600u);
    EXPECT_EQ(mode_of(tree), 0700u);
    EXPECT_FALSE(fs::exists(disk.string() + ".tmp"));
    auto blkid = util::run_process({"blkid", "-o", "export", disk.string()});
    EXPECT_NE(blkid.out.find("LABEL=cidata\n"), std::string::npos) << blkid.out;
    EXPECT_NE(blkid.out.find("TYPE=vfat\n"), std::string::npos) << blkid.out;
    for (const auto& file : files) {
        auto name = fs::path(file.path).filename().string();
        EXPECT_EQ(mode_of(tree / name), 0600u) << name;
        auto on_disk = util::run_process({"mtype", "-i", disk.string(), "::" + name});
        EXPECT_EQ(on_disk.exit_code, 0) << on_disk.err;
        EXPECT_EQ(on_disk.out, file.content) << name;
    }
}

TEST(CloudImage, UserDataCreatesTheLabUserAndInstallsThePinnedHostKey) {
    TempDir tmp;
    auto lab = load_lab(tmp.path());
    auto identity = make_identity(tmp.path());
    auto files =
        render::render_cloud_init(lab, *lab.node("cloud2"), render::TemplateSet{}, identity);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[1].path, "/var/lib/cloud/seed/nocloud/user-data");
    EXPECT_EQ(files[1].mode, 0600u);
    const auto& user_data = files[1].content;
    EXPECT_EQ(user_data.rfind("#cloud-config\n", 0), 0u);
    EXPECT_EQ(yaml_query(user_data, "d['hostname']"), "\"cloud2\"\n");
    EXPECT_EQ(yaml_query(user_data, "d['users'][0]['name']"), "\"alice\"\n");
    EXPECT_EQ(yaml_query(user_data, "d['users'][0]['sudo']"), "\"ALL=(ALL) NOPASSWD:ALL\"\n");
    EXPECT_EQ(yaml_query(user_data, "d['users'][0]['ssh_authorized_keys'][0].strip()"),
              json_string(identity.authorized_key));
    // cloud-init writes exactly these lines to /etc/ssh/ssh_host_ed25519_key{,.pub}.
    EXPECT_EQ(yaml_query(user_data, "d['ssh_keys']['ed25519_private'].strip()"),
              json_string(identity.host_key_private));
    EXPECT_EQ(yaml_query(user_data, "d['ssh_keys']['ed25519_public'].strip()"),
              json_string(identity.host_key_public));
    EXPECT_EQ(yaml_query(user_data, "d['ssh_deletekeys']"), "true\n");
    EXPECT_EQ(yaml_query(user_data, "d['ssh_pwauth']"), "false\n");
}

TEST(CloudImage, NetworkConfigMatchesEachNicByItsMacWithPlannedAddresses) {
    TempDir tmp;
    auto lab = load_lab(tmp.path());
    const auto& node = *lab.node("cloud1");
    auto files = render::render_cloud_init(lab, node, render::TemplateSet{}, {});
    const auto& net = files[2].content;
    EXPECT_EQ(yaml_query(net, "d['version']"), "2\n");
    EXPECT_EQ(yaml_query(net, "d['ethernets']['nic0']['match']['macaddress']"),
              "\"" + node.nics[0].mac + "\"\n");
    EXPECT_EQ(yaml_query(net, "d['ethernets']['nic0']['addresses']"), "[\"192.168.56.11/24\"]\n");
    EXPECT_EQ(yaml_query(net, "d['ethernets']['nic0']['dhcp4']"), "false\n");
    EXPECT_EQ(yaml_query(net, "d['ethernets']['nic1']['match']['macaddress']"),
              "\"" + node.nics[1].mac + "\"\n");
    EXPECT_EQ(yaml_query(net, "d['ethernets']['nic1']['dhcp4']"), "true\n");
    // A static NAT NIC carries the default route, written as cloud-init 22.4 accepts it.
    auto cloud2 = render::render_cloud_init(lab, *lab.node("cloud2"), render::TemplateSet{}, {});
    EXPECT_EQ(yaml_query(cloud2[2].content, "d['ethernets']['nic0']['routes']"),
              "[{\"to\": \"0.0.0.0/0\", \"via\": \"192.168.123.1\"}]\n");
    EXPECT_EQ(yaml_query(files[0].content, "d"),
              "{\"instance-id\": \"labctl-clouds-cloud1\", \"local-hostname\": \"cloud1\"}\n");
}

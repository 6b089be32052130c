// The nfs type on its own: its keys, placement, port, rendered exports and mount units, what it
// asks of the base image and the Vagrant export. Its role and check need a kernel with NFS
// (a VM guest): an LXC guest shares the host's kernel, and ours has none (see README).
#include <gtest/gtest.h>

#include <algorithm>

#include "image/image_build.hpp"
#include "lab_fixtures.hpp"
#include "labfile/render_lab.hpp"
#include "services/nfs/nfs_settings.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

namespace labctl {
namespace {

std::string nfs_lab(const std::string& service) {
    return test::two_network_lab("share") + R"(
[nodes.files]
networks = { hostonly = "192.168.56.31", nat = "dhcp" }

[nodes.web1]
networks = { hostonly = "192.168.56.41" }

[nodes.web2]
networks = { hostonly = "192.168.56.42" }

[nodes.lonely]
networks = { nat = "192.168.123.50" }
)" + service;
}

const std::string kShare = R"(
[services.media]
type = "nfs"
server = "files"
clients = ["web1", "web2"]
export = "/srv/media"
mount = "/var/lib/app-media"
)";

TEST(Nfs, ServerAndClientsPlaceIt) {
    auto lab = test::load_lab(nfs_lab(kShare));
    const auto* media = lab.service("media");
    ASSERT_NE(media, nullptr);
    EXPECT_EQ(media->type_name(), "nfs");
    ASSERT_EQ(media->on.size(), 3u);
    EXPECT_EQ(media->on[0].value, "files");
    EXPECT_EQ(media->main_port(), 2049);
}

TEST(Nfs, ServerExportsToEachClientAndClientsMountAtBoot) {
    auto lab = test::load_lab(nfs_lab(kShare));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"media"}});
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(files[0].node, "files");
    EXPECT_EQ(files[0].path, "/etc/exports.d/labctl-media.exports");
    EXPECT_NE(
        files[0].content.find("\n/srv/media 192.168.56.41(rw,sync,no_subtree_check,no_root_squash) "
                              "192.168.56.42(rw,sync,no_subtree_check,no_root_squash)\n"),
        std::string::npos)
        << files[0].content;
    for (std::size_t i = 1; i < 3; ++i) {
        EXPECT_EQ(files[i].path, "/etc/systemd/system/var-lib-app\\x2dmedia.mount");
        const auto& unit = files[i].content;
        EXPECT_NE(unit.find("What=192.168.56.31:/srv/media\n"), std::string::npos) << unit;
        EXPECT_NE(unit.find("Where=/var/lib/app-media\n"), std::string::npos) << unit;
        EXPECT_NE(unit.find("WantedBy=remote-fs.target"), std::string::npos) << unit;
    }
    // systemd's own spelling of the unit name.
    auto escaped =
        util::run_process({"systemd-escape", "--path", "--suffix=mount", "/var/lib/app-media"});
    if (escaped.exit_code == 0) {
        EXPECT_EQ(util::trim(escaped.out), services::nfs_mount_unit("/var/lib/app-media"));
    }
}

TEST(Nfs, BadKeysPointAtTheirValues) {
    auto text =
        test::load_errors(nfs_lab("\n[services.media]\ntype = \"nfs\"\nclients = [\"web1\"]\n"));
    EXPECT_NE(text.find("missing key `server`"), std::string::npos) << text;
    text = test::load_errors(
        nfs_lab("\n[services.media]\ntype = \"nfs\"\nserver = \"files\"\nclients = [\"web1\"]\n"
                "export = \"/srv/a b\"\nmount = \"relative\"\n"));
    EXPECT_NE(text.find("lab.toml:28:10: error: `export` must be an absolute path"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("lab.toml:29:9: error: `mount` must be an absolute path"),
              std::string::npos)
        << text;
    text = test::load_errors(
        nfs_lab("\n[services.media]\ntype = \"nfs\"\nserver = \"files\"\nclients = [\"files\"]\n"));
    EXPECT_NE(text.find("appears twice among server and clients"), std::string::npos) << text;
    text = test::load_errors(
        nfs_lab("\n[services.media]\ntype = \"nfs\"\nserver = \"web1\"\nclients = [\"lonely\"]\n"));
    EXPECT_NE(text.find("client `lonely` shares no network with server `web1`"), std::string::npos)
        << text;
    text = test::load_errors(
        nfs_lab("\n[services.media]\ntype = \"nfs\"\nserver = \"files\"\nclients = "
                "[\"web1\"]\nexport = \"/srv/../etc\"\n"));
    EXPECT_NE(text.find("`export` must be an absolute path"), std::string::npos) << text;
}

TEST(Nfs, BaseImageHoldsTheServerStartedOnlyByTheRole) {
    const auto& packages = image::base_packages();
    EXPECT_NE(std::find(packages.begin(), packages.end(), "nfs-kernel-server"), packages.end());
    const auto& units = image::disabled_units();
    for (const auto* unit : {"nfs-server.service", "rpcbind.service", "rpcbind.socket"})
        EXPECT_NE(std::find(units.begin(), units.end(), unit), units.end()) << unit;
}

TEST(Nfs, VagrantExportProvisionsServerAndClients) {
    test::TempDir dir;
    auto lab = test::write_lab(dir.path(), nfs_lab(kShare));
    auto out = dir.path() / "vagrant";
    auto exported = test::run_labctl({"export", "vagrant", "-f", lab.string(), "-o", out.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    auto script = util::read_file(out / "provision/web1.sh");
    EXPECT_NE(script.find("var-lib-app\\x2dmedia.mount"), std::string::npos) << script;
    EXPECT_TRUE(std::filesystem::exists(out / "files/files/etc/exports.d/labctl-media.exports"));
    EXPECT_EQ(util::run_process({"bash", "-n", (out / "provision/web1.sh").string()}).exit_code, 0);
}

}  // namespace
}  // namespace labctl

// Rendered files: what the templates must contain, and that values are escaped for the
// format they land in.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

using test::example_lab;
using test::find_file;

// The example lab with every node on a user's cloud image (a path), so its seed is cloud-init's.
topo::Lab on_cloud_images(topo::Lab lab) {
    for (auto& node : lab.nodes) node.image = "images/debian-12-genericcloud-amd64.qcow2";
    return lab;
}

TEST(Render, CloudInitSeedHasHostnameNicsAndNoSecretsWithoutIdentity) {
    auto lab = on_cloud_images(example_lab("activemq-failover"));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"cloud-init"}});
    ASSERT_EQ(files.size(), 6u);
    const auto& net =
        find_file(files, "server1", "/var/lib/cloud/seed/nocloud/network-config").content;
    EXPECT_NE(net.find("addresses: [192.168.56.11/24]"), std::string::npos) << net;
    EXPECT_NE(net.find("macaddress: \"" + lab.node("server1")->nics[0].mac + "\""),
              std::string::npos);
    EXPECT_NE(net.find("dhcp4: true  # reserved: 192.168.123.100"), std::string::npos) << net;
    const auto& user_data =
        find_file(files, "server2", "/var/lib/cloud/seed/nocloud/user-data").content;
    EXPECT_NE(user_data.find("hostname: server2"), std::string::npos);
    EXPECT_EQ(user_data.find("PRIVATE KEY"), std::string::npos);
}

TEST(Render, CloudInitCarriesTheIdentityWhenGiven) {
    auto lab = on_cloud_images(example_lab("activemq-failover"));
    std::map<std::string, render::NodeIdentity> identities{
        {"server1",
         {"ssh-ed25519 AAAALAB lab",
          "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----",
          "ssh-ed25519 AAAAHOST"}}};
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"cloud-init"}, &identities});
    const auto& user_data = find_file(files, "server1", "/var/lib/cloud/seed/nocloud/user-data");
    EXPECT_EQ(user_data.mode, 0600u);
    EXPECT_NE(user_data.content.find("      - ssh-ed25519 AAAALAB lab"), std::string::npos)
        << user_data.content;
    EXPECT_NE(user_data.content.find("    -----BEGIN OPENSSH PRIVATE KEY-----\n    abc\n"),
              std::string::npos);
}

TEST(Render, LabctlImageNodesGetLabctlsSeedTreeWithoutKeysUnlessGiven) {
    auto lab = example_lab("activemq-failover");
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"seed"}});
    for (const auto& file : files) {
        EXPECT_EQ(file.path.rfind("/var/lib/labctl-seed/", 0), 0u) << file.path;
        EXPECT_EQ(file.content.find("PRIVATE KEY"), std::string::npos) << file.path;
    }
    EXPECT_EQ(find_file(files, "server2", "/var/lib/labctl-seed/root/etc/hostname").content,
              "server2\n");
    EXPECT_EQ(find_file(files, "server1", "/var/lib/labctl-seed/root/etc/sudoers.d/labctl").mode,
              0440u);
    const auto& nic = find_file(
        files, "server1", "/var/lib/labctl-seed/root/etc/systemd/network/10-labctl-nic0.network");
    EXPECT_NE(nic.content.find(lab.node("server1")->nics[0].mac), std::string::npos) << nic.content;
    for (const auto& file : files)
        EXPECT_EQ(file.path.find("ssh_host_ed25519_key"), std::string::npos) << file.path;

    std::map<std::string, render::NodeIdentity> identities{
        {"server1",
         {"ssh-ed25519 AAAALAB lab",
          "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----",
          "ssh-ed25519 AAAAHOST"}}};
    auto keyed = labfile::render_lab(lab, render::TemplateSet{}, {{"seed"}, &identities});
    EXPECT_EQ(
        find_file(keyed, "server1", "/var/lib/labctl-seed/root/etc/ssh/ssh_host_ed25519_key").mode,
        0600u);
    EXPECT_EQ(find_file(keyed, "server1", "/var/lib/labctl-seed/authorized_keys").content,
              "ssh-ed25519 AAAALAB lab\n");

    // A lab mixing both: each node gets what `up` gives it.
    lab.nodes[0].image = "../images/cloud.qcow2";
    auto mixed = labfile::render_lab(lab, render::TemplateSet{}, {{"cloud-init"}});
    EXPECT_NO_THROW(find_file(mixed, lab.nodes[0].name, "/var/lib/cloud/seed/nocloud/user-data"));
    EXPECT_NO_THROW(find_file(mixed, lab.nodes[1].name, "/var/lib/labctl-seed/root/etc/hostname"));
}

TEST(Render, UnknownSelectionIsAnInputError) {
    EXPECT_THROW(
        labfile::render_lab(example_lab("activemq-failover"), render::TemplateSet{}, {{"nope"}}),
        InputError);
}

TEST(Render, TemplateOverrideDirectoryWinsFileByFile) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "rabbitmq");
    util::write_file_atomic(dir.path() / "rabbitmq/enabled_plugins.mustache",
                            "[rabbitmq_stomp,rabbitmq_management].\n");
    auto files = labfile::render_lab(example_lab("rabbitmq-failover"),
                                     render::TemplateSet{dir.path()}, {{"broker"}});
    EXPECT_EQ(find_file(files, "server1", "/etc/rabbitmq/enabled_plugins").content,
              "[rabbitmq_stomp,rabbitmq_management].\n");
    EXPECT_NE(find_file(files, "server1", "/etc/rabbitmq/rabbitmq.conf").content.find("stomp"),
              std::string::npos);
}

TEST(Render, BrokenTemplateIsAClearError) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "nginx");
    util::write_file_atomic(dir.path() / "nginx/balancer.conf.mustache", "{{#servers}} unclosed\n");
    EXPECT_THROW(labfile::render_lab(example_lab("activemq-failover"),
                                     render::TemplateSet{dir.path()}, {{"lb"}}),
                 InputError);
}

}  // namespace
}  // namespace labctl

// Rendered files: what the templates must contain, and that values are escaped for the
// format they land in.
#include <gtest/gtest.h>

#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

const render::GeneratedFile& find_file(const std::vector<render::GeneratedFile>& files,
                                       const std::string& node, const std::string& path) {
    for (const auto& file : files)
        if (file.node == node && file.path == path) return file;
    throw std::runtime_error("no file " + node + ":" + path);
}

topo::Lab example(const std::string& name) {
    return labfile::load_lab_or_throw(
        (test::source_dir() / "examples" / name / "lab.toml").string());
}

TEST(Render, NginxBalancerHasFailoverAndObservabilitySettings) {
    auto lab = example("activemq-failover");
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"nginx"}});
    ASSERT_EQ(files.size(), 1u);
    const auto& conf = find_file(files, "server1", "/etc/nginx/conf.d/balancer.conf").content;
    for (const char* needle :
         {"zone lb_backends 64k;", "least_conn;",
          "server 192.168.56.11:8080 weight=1 max_fails=1 fail_timeout=5s;",
          "server 192.168.56.12:8080 weight=2 max_fails=1 fail_timeout=5s;", "listen 8090;",
          "proxy_connect_timeout 1s;",
          "proxy_next_upstream error timeout http_502 http_503 http_504;",
          "map $http_upgrade $connection_upgrade_lb", "proxy_set_header Upgrade $http_upgrade;",
          "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
          "proxy_set_header X-Real-IP $remote_addr;", "proxy_set_header Host $host;",
          "add_header X-Upstream $upstream_addr always;", "upstream=$upstream_addr"}) {
        EXPECT_NE(conf.find(needle), std::string::npos) << "missing: " << needle << "\n" << conf;
    }
}

TEST(Render, WeightedRoundRobinHasNoStrategyDirectiveAndAllWeights) {
    auto files = labfile::render_lab(example("weighted-mariadb"), render::TemplateSet{}, {{"lb"}});
    const auto& conf = find_file(files, "lb", "/etc/nginx/conf.d/balancer.conf").content;
    EXPECT_EQ(conf.find("least_conn"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.11:5000 weight=3"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.12:5000 weight=2"), std::string::npos);
    EXPECT_NE(conf.find("172.30.10.14:5000 weight=1"), std::string::npos);
    EXPECT_EQ(conf.find("$http_upgrade"), std::string::npos);  // websocket off
}

TEST(Render, BrokersGetTheirStompConnector) {
    auto activemq =
        labfile::render_lab(example("activemq-failover"), render::TemplateSet{}, {{"broker"}});
    const auto& xml =
        find_file(activemq, "server1", "/etc/activemq/instances-available/main/activemq.xml")
            .content;
    EXPECT_NE(xml.find("uri=\"stomp://0.0.0.0:61613"), std::string::npos);
    auto rabbit =
        labfile::render_lab(example("rabbitmq-failover"), render::TemplateSet{}, {{"rabbitmq"}});
    EXPECT_NE(find_file(rabbit, "server1", "/etc/rabbitmq/rabbitmq.conf")
                  .content.find("stomp.listeners.tcp.1 = 0.0.0.0:61613"),
              std::string::npos);
    EXPECT_EQ(find_file(rabbit, "server1", "/etc/rabbitmq/enabled_plugins").content,
              "[rabbitmq_stomp].\n");
}

TEST(Render, MariadbServerIdsAreUniqueAndOnlyThePrimaryLogsBinlog) {
    auto files = labfile::render_lab(example("weighted-mariadb"), render::TemplateSet{}, {{"db"}});
    ASSERT_EQ(files.size(), 4u);
    std::set<std::string> ids;
    for (const auto& file : files) {
        auto at = file.content.find("server-id = ");
        ASSERT_NE(at, std::string::npos);
        ids.insert(file.content.substr(at, file.content.find('\n', at) - at));
        bool primary = file.node == "db1";
        EXPECT_EQ(file.content.find("log-bin") != std::string::npos, primary) << file.node;
        EXPECT_EQ(file.content.find("read-only = 1") != std::string::npos, !primary) << file.node;
    }
    EXPECT_EQ(ids.size(), 4u);
}

TEST(Render, AppUnitsCarryResolvedEnvironment) {
    auto files =
        labfile::render_lab(example("activemq-failover"), render::TemplateSet{}, {{"chat"}});
    const auto& unit =
        find_file(files, "server2", "/etc/systemd/system/labctl-chat-server2.service").content;
    EXPECT_NE(unit.find("Environment=\"BROKER_HOST=192.168.56.11\""), std::string::npos) << unit;
    EXPECT_NE(unit.find("Environment=\"INSTANCE=chat-server2\""), std::string::npos);
    EXPECT_NE(unit.find("Environment=\"PORT=8080\""), std::string::npos);
    EXPECT_NE(unit.find("ExecStart=/bin/sh -c \"exec python3 /opt/chat/app.py\""),
              std::string::npos);
    EXPECT_NE(unit.find("User=lab"), std::string::npos);
}

TEST(Render, SystemdValuesAreEscaped) {
    auto result = labfile::load_lab_text(R"(
[lab]
name = "esc"
[networks.n]
mode = "nat"
subnet = "10.9.0.0/24"
[nodes.a]
networks = { n = "dhcp" }
[services.s]
type = "app"
on = "a"
run = "printf \"%s\" x"
env = { MSG = "50% \"quoted\" back\\slash" }
)",
                                         "lab.toml");
    ASSERT_TRUE(result.lab) << result.diagnostics.format();
    auto files = labfile::render_lab(*result.lab, render::TemplateSet{}, {{"s"}});
    const auto& unit = files.at(0).content;
    EXPECT_NE(unit.find(R"(Environment="MSG=50%% \"quoted\" back\\slash")"), std::string::npos)
        << unit;
    EXPECT_NE(unit.find(R"(ExecStart=/bin/sh -c "exec printf \"%%s\" x")"), std::string::npos)
        << unit;
}

TEST(Render, XmlTemplatesEscapeValues) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "activemq");
    util::write_file_atomic(dir.path() / "activemq/activemq.xml.mustache",
                            "<b name=\"{{service}}\">{{lab}}</b>\n");
    render::TemplateSet templates(dir.path());
    auto data = render::object_data();
    data.set("service", "a\"<&>'");
    data.set("lab", "x&y");
    EXPECT_EQ(templates.render("activemq/activemq.xml.mustache", data, render::Escape::xml),
              "<b name=\"a&quot;&lt;&amp;&gt;&apos;\">x&amp;y</b>\n");
}

// The example lab with every node on a user's cloud image (a path), so its seed is cloud-init's.
topo::Lab on_cloud_images(topo::Lab lab) {
    for (auto& node : lab.nodes) node.image = "images/debian-12-genericcloud-amd64.qcow2";
    return lab;
}

TEST(Render, CloudInitSeedHasHostnameNicsAndNoSecretsWithoutIdentity) {
    auto lab = on_cloud_images(example("activemq-failover"));
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
    auto lab = on_cloud_images(example("activemq-failover"));
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
    auto lab = example("activemq-failover");
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
        labfile::render_lab(example("activemq-failover"), render::TemplateSet{}, {{"nope"}}),
        InputError);
}

TEST(Render, TemplateOverrideDirectoryWinsFileByFile) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "rabbitmq");
    util::write_file_atomic(dir.path() / "rabbitmq/enabled_plugins.mustache",
                            "[rabbitmq_stomp,rabbitmq_management].\n");
    auto files = labfile::render_lab(example("rabbitmq-failover"), render::TemplateSet{dir.path()},
                                     {{"broker"}});
    EXPECT_EQ(find_file(files, "server1", "/etc/rabbitmq/enabled_plugins").content,
              "[rabbitmq_stomp,rabbitmq_management].\n");
    EXPECT_NE(find_file(files, "server1", "/etc/rabbitmq/rabbitmq.conf").content.find("stomp"),
              std::string::npos);
}

TEST(Render, BrokenTemplateIsAClearError) {
    test::TempDir dir;
    util::make_dirs(dir.path() / "nginx");
    util::write_file_atomic(dir.path() / "nginx/balancer.conf.mustache", "{{#servers}} unclosed\n");
    EXPECT_THROW(labfile::render_lab(example("activemq-failover"), render::TemplateSet{dir.path()},
                                     {{"lb"}}),
                 InputError);
}

}  // namespace
}  // namespace labctl

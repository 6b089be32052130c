// The container type on its own: its keys and their errors, where it runs (its swarm's nodes),
// the proxy config through the real `nginx -t`, nginx in front of it, the base image hook, and
// the task verdicts its checks and `kill` read. Its role runs on real guests
// (examples/bookstore-swarm in e2e_lxc_every_example).
#include <gtest/gtest.h>

#include <algorithm>

#include "image/image_build.hpp"
#include "lab_fixtures.hpp"
#include "labfile/render_lab.hpp"
#include "services/container/container_checks.hpp"
#include "services/container/container_settings.hpp"
#include "services/registry.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/process.hpp"

namespace labctl {
namespace {

std::string container_lab(const std::string& service) {
    return test::two_network_lab("shop") + R"(
[nodes.m1]
networks = { hostonly = "192.168.56.10" }

[nodes.w1]
networks = { hostonly = "192.168.56.11" }

[nodes.w2]
networks = { hostonly = "192.168.56.12" }

[nodes.db]
networks = { hostonly = "192.168.56.20" }

[services.hive]
type = "swarm"
manager = "m1"
workers = ["w1", "w2"]

[services.cache]
type = "redis"
primary = "db"
)" + service;
}

const std::string kWeb = R"(
[services.web]
type = "container"
cluster = "hive"
build = "apps/web"
replicas = 6
placement = "node.role == worker"
port = 8000
env = { CACHE = "${cache.address}:${cache.port}", GREETING = "hi" }
health = "/health"
)";

TEST(Container, RunsOnItsSwarmsNodesAfterTheSwarmAndWhatItUses) {
    auto lab = test::load_lab(container_lab(kWeb));
    const auto* web = lab.service("web");
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->type_name(), "container");
    std::vector<std::string> on;
    for (const auto& node : web->on) on.push_back(node.value);
    EXPECT_EQ(on, (std::vector<std::string>{"m1", "w1", "w2"}));
    EXPECT_EQ(lab.instances(*web).size(), 3u);
    EXPECT_EQ(web->main_port(), 8000);
    auto deps = lab.dependencies(*web);
    for (const auto* dep : {"hive", "cache"})
        EXPECT_NE(std::find(deps.begin(), deps.end(), dep), deps.end()) << dep;
}

TEST(Container, BadKeysPointAtTheirValues) {
    auto text = test::load_errors(container_lab(R"(
[services.web]
type = "container"
cluster = "cache"
build = "apps/web"
placement = ["node.role == worker", "node.role = worker; rm -rf /"]
env = { X = "${nothing.address}" }
on = "w1"
)"));
    EXPECT_NE(text.find("lab.toml:35:11: error: cluster `cache` is of type redis"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("lab.toml:37:37: error: placement `node.role = worker; rm -rf /` is not "
                        "a swarm constraint"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("lab.toml:39:6: error: a container service runs on the nodes"),
              std::string::npos)
        << text;
    text = test::load_errors(
        container_lab("\n[services.web]\ntype = \"container\"\ncluster = \"hive\"\n"));
    EXPECT_NE(text.find("missing key `build`"), std::string::npos) << text;
    text = test::load_errors(
        container_lab("\n[services.web]\ntype = \"container\"\ncluster = \"hive\"\nbuild = \"x\"\n"
                      "env = { X = \"${nothing.address}\" }\n"));
    EXPECT_NE(text.find("lab.toml:37:13: error:"), std::string::npos) << text;
    EXPECT_NE(text.find("nothing"), std::string::npos) << text;
}

TEST(Container, PlacementConstraintsAreSwarmsOwn) {
    for (const auto* good : {"node.role == worker", "node.role!=manager", "node.hostname == w1",
                             "node.labels.zone == eu-1", "engine.labels.disk == ssd"})
        EXPECT_TRUE(services::is_placement_constraint(good)) << good;
    for (const auto* bad : {"node.role", "role == worker", "node.role == worker && x",
                            "node.labels. == a", "node.role == \"worker\"", ""})
        EXPECT_FALSE(services::is_placement_constraint(bad)) << bad;
}

// The proxy used where the kernel has no IPVS: a whole nginx.conf that the real nginx accepts
// and that re-resolves tasks.SERVICE through Docker's DNS on every request.
TEST(Container, ProxyConfigPassesNginxTAndResolvesTasksPerRequest) {
    auto lab = test::load_lab(container_lab(kWeb));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"web"}});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].node, "m1");
    EXPECT_EQ(files[0].path, "/etc/labctl/container/web/proxy-nginx.conf");
    const auto& conf = files[0].content;
    EXPECT_NE(conf.find("resolver 127.0.0.11"), std::string::npos) << conf;
    EXPECT_NE(conf.find("set $tasks tasks.web;"), std::string::npos) << conf;
    EXPECT_NE(conf.find("proxy_pass http://$tasks:8000;"), std::string::npos) << conf;
    EXPECT_NE(conf.find("listen 8000;"), std::string::npos) << conf;

    auto nginx = util::find_program("nginx");
    if (!nginx && std::filesystem::exists("/usr/sbin/nginx")) nginx = "/usr/sbin/nginx";
    ASSERT_TRUE(nginx) << "nginx is not installed: run scripts/setup.sh";
    test::TempDir dir;
    // Only the pid file moves out of /run, so the check runs unprivileged too.
    std::string local = conf;
    auto pid = local.find("pid /run/nginx.pid;");
    ASSERT_NE(pid, std::string::npos);
    local.replace(pid, 19, "pid " + (dir.path() / "nginx.pid").string() + ";");
    util::write_file_atomic(dir.path() / "nginx.conf", local);
    auto result = util::run_process({*nginx, "-t", "-q", "-p", dir.path().string(), "-e", "stderr",
                                     "-c", (dir.path() / "nginx.conf").string()});
    EXPECT_EQ(result.exit_code, 0) << result.err << "\n" << conf;
}

TEST(Container, NginxInFrontSpreadsOverEverySwarmNodesPublishedPort) {
    auto lab = test::load_lab(container_lab(kWeb + R"(
[services.lb]
type = "nginx"
on = "m1"
listen = 80
backend = "web"
)"));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"lb"}});
    ASSERT_EQ(files.size(), 1u);
    for (const auto* server :
         {"server 192.168.56.10:8000", "server 192.168.56.11:8000", "server 192.168.56.12:8000"})
        EXPECT_NE(files[0].content.find(server), std::string::npos) << files[0].content;
    auto balancing = services::balancing_of(lab, *lab.service("lb"));
    ASSERT_TRUE(balancing);
    EXPECT_TRUE(balancing->http);
}

TEST(Container, BaseImageBuildsLabctlDebianOfflineInOneHook) {
    auto hooks = services::find_kind("container")->image_needs().image_hooks;
    ASSERT_EQ(hooks.size(), 1u);
    EXPECT_NE(hooks[0].find("mmdebstrap --variant=minbase"), std::string::npos) << hooks[0];
    for (const auto& package : services::base_image_packages())
        EXPECT_NE(hooks[0].find(package), std::string::npos) << package;
    EXPECT_NE(hooks[0].find(services::kBaseImageTarball), std::string::npos) << hooks[0];
    // Part of the image's recipe: a change of the list makes a new image.
    EXPECT_FALSE(image::packages_hash().empty());
}

TEST(Container, TasksAreJudgedAgainstReplicasPlacementAndALostNode) {
    auto tasks = services::parse_task_list(
        "w1|Running 3 seconds ago\nw2|Running 3 seconds ago\nw2|Running 1 second ago\n"
        "w1|Preparing 2 seconds ago\n");
    ASSERT_EQ(tasks.size(), 4u);
    std::vector<std::string> workers_only{"node.role == worker"}, managers{"m1"};
    auto verdict = services::judge_tasks(tasks, 4, workers_only, managers);
    EXPECT_FALSE(verdict.ok);
    EXPECT_EQ(verdict.detail, "3/4 running: w1 1, w2 2");
    EXPECT_TRUE(services::judge_tasks(tasks, 3, workers_only, managers).ok);
    // A powered-off node's tasks still read Running until the swarm notices: not counted.
    verdict = services::judge_tasks(tasks, 3, workers_only, managers, "w1");
    EXPECT_FALSE(verdict.ok);
    EXPECT_EQ(verdict.detail, "2/3 running: w2 2 (without w1)");
    tasks.push_back({"m1", "Running 1 second ago"});
    verdict = services::judge_tasks(tasks, 4, workers_only, managers);
    EXPECT_FALSE(verdict.ok);
    EXPECT_NE(verdict.detail.find("against the placement on m1"), std::string::npos);
    EXPECT_TRUE(services::judge_tasks(tasks, 4, {}, managers).ok);
}

// `secrets` names a service with a client password: a mysql service with `user`, whose name
// the tasks also get through ${db.user}.
TEST(Container, SecretsNameAServiceWithAClientPassword) {
    std::string db = R"(
[services.shop]
type = "mysql"
primary = "db"
database = "shop"
user = "shopper"
)";
    auto lab = test::load_lab(container_lab(db + R"(
[services.web]
type = "container"
cluster = "hive"
build = "apps/web"
env = { DB_USER = "${shop.user}" }
secrets = ["shop"]
)"));
    const auto& shop = *lab.service("shop");
    EXPECT_EQ(services::kind_of(shop).client_secret(shop), "mysql-user-shop");
    auto deps = lab.dependencies(*lab.service("web"));
    EXPECT_NE(std::find(deps.begin(), deps.end(), "shop"), deps.end());

    auto text = test::load_errors(container_lab(R"(
[services.web]
type = "container"
cluster = "hive"
build = "apps/web"
secrets = ["cache"]
)"));
    EXPECT_NE(text.find("lab.toml:37:12: error: service `cache` has no client password"),
              std::string::npos)
        << text;
    text = test::load_errors(
        container_lab("\n[services.shop]\ntype = \"mysql\"\nprimary = \"db\"\nuser = \"root\"\n"));
    EXPECT_NE(text.find("lab.toml:36:8: error: user name `root`"), std::string::npos) << text;
}

}  // namespace
}  // namespace labctl

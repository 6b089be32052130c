// The redis type on its own: its keys, placement, ports, rendered config, what it asks of the
// base image and the Vagrant export. Its role and check run on real guests
// (tests/e2e/labs/redis-cache.toml in e2e_lxc_every_example).
#include <gtest/gtest.h>

#include <algorithm>

#include "image/image_build.hpp"
#include "lab_fixtures.hpp"
#include "labfile/render_lab.hpp"
#include "services/registry.hpp"
#include "test_support.hpp"
#include "util/files.hpp"
#include "util/process.hpp"

namespace labctl {
namespace {

std::string redis_lab(const std::string& service) {
    return test::two_network_lab("cache") + R"(
[nodes.c1]
networks = { hostonly = "192.168.56.31", nat = "dhcp" }

[nodes.c2]
networks = { hostonly = "192.168.56.32" }

[nodes.c3]
networks = { hostonly = "192.168.56.33" }

[nodes.web]
networks = { hostonly = "192.168.56.40" }

[services.app]
type = "app"
on = ["web"]
run = "python3 /opt/app/app.py"
env = { REDIS = "${cache.address}:${cache.port}" }
)" + service;
}

const std::string kCache = R"(
[services.cache]
type = "redis"
primary = "c1"
replicas = ["c2", "c3"]
)";

const render::GeneratedFile& file_on(const std::vector<render::GeneratedFile>& files,
                                     const std::string& node) {
    for (const auto& file : files)
        if (file.node == node && file.path == "/etc/redis/redis.conf") return file;
    throw std::runtime_error("no redis.conf on " + node);
}

TEST(Redis, PrimaryAndReplicasPlaceItAndAppsReferenceIt) {
    auto lab = test::load_lab(redis_lab(kCache));
    const auto* cache = lab.service("cache");
    ASSERT_NE(cache, nullptr);
    EXPECT_EQ(cache->type_name(), "redis");
    ASSERT_EQ(cache->on.size(), 3u);
    EXPECT_EQ(cache->on[0].value, "c1");
    EXPECT_EQ(cache->main_port(), 6379);
    // The app depends on it, so provisioning starts Redis first.
    auto deps = lab.dependencies(*lab.service("app"));
    EXPECT_NE(std::find(deps.begin(), deps.end(), "cache"), deps.end());
}

TEST(Redis, OnStandsInForPrimaryAndReplicas) {
    auto lab =
        test::load_lab(redis_lab("[services.cache]\ntype = \"redis\"\non = [\"c2\", \"c1\"]\n"));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"cache"}});
    EXPECT_NE(file_on(files, "c1").content.find("replicaof 192.168.56.32 6379"), std::string::npos);
    EXPECT_EQ(file_on(files, "c2").content.find("replicaof"), std::string::npos);
}

TEST(Redis, ConfigBindsTheLabAddressesAndHoldsNoPassword) {
    auto lab = test::load_lab(redis_lab(kCache));
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"redis"}});
    ASSERT_EQ(files.size(), 3u);
    const auto& primary = file_on(files, "c1").content;
    EXPECT_NE(primary.find("bind 127.0.0.1 192.168.56.31 "), std::string::npos) << primary;
    EXPECT_NE(primary.find("port 6379"), std::string::npos);
    EXPECT_EQ(primary.find("replicaof"), std::string::npos);
    const auto& replica = file_on(files, "c3").content;
    EXPECT_NE(replica.find("replicaof 192.168.56.31 6379"), std::string::npos) << replica;
    for (const auto& file : files) {
        // The password is written by the role into the included file, never rendered.
        EXPECT_EQ(file.content.find("\nrequirepass"), std::string::npos);
        EXPECT_NE(file.content.find("include /etc/redis/labctl-auth.conf"), std::string::npos);
    }
}

TEST(Redis, BadPlacementAndPortClashPointAtTheirValues) {
    auto missing = labfile::load_lab_text(
        redis_lab("\n[services.cache]\ntype = \"redis\"\nreplicas = [\"c2\"]\n"), "lab.toml");
    ASSERT_FALSE(missing.lab);
    EXPECT_NE(missing.diagnostics.format().find("missing key `primary`"), std::string::npos)
        << missing.diagnostics.format();

    auto twice = labfile::load_lab_text(
        redis_lab("\n[services.cache]\ntype = \"redis\"\nprimary = \"c1\"\nreplicas = [\"c1\"]\n"),
        "lab.toml");
    ASSERT_FALSE(twice.lab);
    EXPECT_NE(twice.diagnostics.format().find("appears twice among primary and replicas"),
              std::string::npos);

    auto clash = labfile::load_lab_text(
        redis_lab("\n[services.cache]\ntype = \"redis\"\nprimary = \"web\"\nport = 8080\n"),
        "lab.toml");
    ASSERT_FALSE(clash.lab);
    auto text = clash.diagnostics.format();
    EXPECT_NE(text.find("port clash on node `web`: port 8080"), std::string::npos) << text;
}

TEST(Redis, BaseImageHoldsRedisServerStartedOnlyByTheRole) {
    const auto& packages = image::base_packages();
    EXPECT_NE(std::find(packages.begin(), packages.end(), "redis-server"), packages.end());
    const auto& units = image::disabled_units();
    EXPECT_NE(std::find(units.begin(), units.end(), "redis-server.service"), units.end());
}

TEST(Redis, VagrantExportGeneratesItsPasswordAndShellChecksProvisioning) {
    test::TempDir dir;
    auto lab = test::write_lab(dir.path(), redis_lab(kCache));
    auto out = dir.path() / "vagrant";
    auto exported = test::run_labctl({"export", "vagrant", "-f", lab.string(), "-o", out.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_NE(util::read_file(out / "secrets.env").find("REDIS_PASSWORD_CACHE="),
              std::string::npos);
    auto script = util::read_file(out / "provision/c2.sh");
    EXPECT_NE(script.find("$REDIS_PASSWORD_CACHE"), std::string::npos) << script;
    EXPECT_TRUE(std::filesystem::exists(out / "files/c2/etc/redis/redis.conf"));
    EXPECT_EQ(util::run_process({"bash", "-n", (out / "provision/c2.sh").string()}).exit_code, 0);
}

}  // namespace
}  // namespace labctl

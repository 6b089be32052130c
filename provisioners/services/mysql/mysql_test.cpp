// The mysql type on its own: primary and replicas from its keys, rendered server configs.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "services/mysql/mysql_settings.hpp"

namespace labctl {
namespace {

TEST(Mysql, MariadbServerIdsAreUniqueAndOnlyThePrimaryLogsBinlog) {
    auto files =
        labfile::render_lab(test::example_lab("weighted-mariadb"), render::TemplateSet{}, {{"db"}});
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

TEST(Mysql, MysqlTakesPrimaryAndReplicasOrOn) {
    const std::string base = R"(
[lab]
name = "db"
[networks.lan]
mode = "host-only"
subnet = "10.1.0.0/24"
[defaults]
networks = ["lan"]
[nodes.a]
[nodes.b]
[nodes.c]
)";
    auto explicit_lab = test::load_lab(
        base + "[services.db]\ntype = \"mysql\"\nprimary = \"a\"\nreplicas = [\"b\", \"c\"]\n");
    auto on_lab =
        test::load_lab(base + "[services.db]\ntype = \"mysql\"\non = [\"a\", \"b\", \"c\"]\n");
    for (const auto* lab : {&explicit_lab, &on_lab}) {
        const auto& db = *lab->service("db");
        EXPECT_EQ(services::mysql_settings(db).primary.value, "a");
        ASSERT_EQ(services::mysql_settings(db).replicas.size(), 2u);
        EXPECT_EQ(db.on.size(), 3u);
        EXPECT_EQ(services::mysql_settings(db).database, "lab");
    }
}

}  // namespace
}  // namespace labctl

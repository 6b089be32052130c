// The real nginx checks every nginx config labctl renders: for every example lab, and for
// every strategy / websocket / protocol combination.
#include <gtest/gtest.h>

#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

// Runs `nginx -t` on a main config that includes CONF inside http{}, as Debian's does with conf.d.
void expect_nginx_accepts(const std::string& conf, const std::string& what) {
    auto nginx = util::find_program("nginx");
    if (!nginx && std::filesystem::exists("/usr/sbin/nginx")) nginx = "/usr/sbin/nginx";
    ASSERT_TRUE(nginx) << "nginx is not installed: run scripts/setup.sh";
    test::TempDir dir;
    util::write_file_atomic(dir.path() / "balancer.conf", conf);
    util::make_dirs(dir.path() / "logs");
    util::write_file_atomic(dir.path() / "nginx.conf",
                            "pid " + (dir.path() / "nginx.pid").string() + ";\nerror_log " +
                                (dir.path() / "logs/error.log").string() +
                                ";\nevents {}\nhttp {\n    include " +
                                (dir.path() / "balancer.conf").string() + ";\n}\n");
    auto result = util::run_process({*nginx, "-t", "-q", "-p", dir.path().string(), "-e",
                                     (dir.path() / "logs/error.log").string(), "-c",
                                     (dir.path() / "nginx.conf").string()});
    EXPECT_EQ(result.exit_code, 0) << what << ":\n" << result.err << "\n" << conf;
}

TEST(NginxConfig, EveryExampleLabPassesNginxT) {
    std::size_t checked = 0;
    for (const auto& file : test::example_labs()) {
        auto lab = labfile::load_lab_or_throw(file.string());
        for (const auto& rendered : labfile::render_lab(lab, render::TemplateSet{}, {{"nginx"}})) {
            expect_nginx_accepts(rendered.content,
                                 file.string() + " " + rendered.node + ":" + rendered.path);
            ++checked;
        }
    }
    EXPECT_GE(checked, 4u);
}

class NginxVariant : public ::testing::TestWithParam<std::tuple<std::string, bool, std::string>> {};

TEST_P(NginxVariant, PassesNginxT) {
    auto [strategy, websocket, protocol] = GetParam();
    std::string text = R"(
[lab]
name = "variant"
[networks.lan]
mode = "host-only"
subnet = "10.20.0.0/24"
[nodes.lb]
networks = { lan = "10.20.0.2" }
[nodes.a]
networks = { lan = "10.20.0.3" }
[nodes.b]
networks = { lan = "10.20.0.4" }
[services.api]
type = "app"
on = ["a", "b"]
instances = 2
port = 7000
run = "x"
protocol = ")" + protocol +
                       R"("
[services.front-door]
type = "nginx"
on = "lb"
listen = 80
backend = "api"
strategy = ")" + strategy +
                       R"("
weights = { a = 5 }
websocket = )" + (websocket ? "true" : "false") +
                       R"(
max_fails = 0
fail_timeout = "3s"
connect_timeout = "500ms"
)";
    auto result = labfile::load_lab_text(text, "variant.toml");
    ASSERT_TRUE(result.lab) << result.diagnostics.format();
    auto files = labfile::render_lab(*result.lab, render::TemplateSet{}, {{"front-door"}});
    ASSERT_EQ(files.size(), 1u);
    EXPECT_NE(files[0].content.find(protocol == "grpc" ? "grpc_pass grpc://front_door_backends;"
                                                       : "proxy_pass http://"),
              std::string::npos);
    expect_nginx_accepts(files[0].content, strategy + (websocket ? " websocket " : " ") + protocol);
}

INSTANTIATE_TEST_SUITE_P(AllCombinations, NginxVariant,
                         ::testing::Combine(::testing::Values("round_robin", "least_conn",
                                                              "ip_hash", "random"),
                                            ::testing::Bool(), ::testing::Values("http", "grpc")));

TEST(NginxConfig, TwoBalancersOnOneNodeGetSeparateFilesThatLoadTogether) {
    auto result = labfile::load_lab_text(R"(
[lab]
name = "two"
[networks.lan]
mode = "host-only"
subnet = "10.21.0.0/24"
[nodes.lb]
networks = { lan = "10.21.0.2" }
[services.a]
type = "app"
on = "lb"
port = 7000
run = "x"
[services.b]
type = "app"
on = "lb"
port = 7100
run = "y"
[services.lb-a]
type = "nginx"
on = "lb"
listen = 80
backend = "a"
websocket = true
[services.lb-b]
type = "nginx"
on = "lb"
listen = 81
backend = "b"
websocket = true
)",
                                         "two.toml");
    ASSERT_TRUE(result.lab) << result.diagnostics.format();
    auto files = labfile::render_lab(*result.lab, render::TemplateSet{}, {{"nginx"}});
    ASSERT_EQ(files.size(), 2u);
    EXPECT_NE(files[0].path, files[1].path);
    expect_nginx_accepts(files[0].content + files[1].content, "two balancers on one node");
}

}  // namespace
}  // namespace labctl

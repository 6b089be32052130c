// The real nginx checks every nginx config labctl renders: for every example lab, and for
// every strategy / websocket / protocol combination.
#include <gtest/gtest.h>

#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "services/nginx/nginx_tls.hpp"
#include "store/lab_ca.hpp"
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

// CONF with the certificate and key paths of a `tls = true` SERVICE on NODE pointed at copies
// issued by the lab CA code into DIR (nginx -t opens them).
std::string with_issued_certificate(std::string conf, const topo::Lab& lab,
                                    const topo::Service& service, const topo::Node& node,
                                    const std::filesystem::path& dir) {
    auto issued = store::ensure_server_cert(dir, lab.lab.name, service.name + "." + node.name,
                                            node.name, services::nginx_tls_names(node));
    auto cert = dir / (service.name + ".crt"), key = dir / (service.name + ".key");
    util::write_file_atomic(cert, issued.cert_pem);
    util::write_file_atomic(key, issued.key_pem, 0600);
    for (auto [from, to] : {std::pair{services::nginx_tls_certificate_path(service), cert.string()},
                            std::pair{services::nginx_tls_key_path(service), key.string()}}) {
        auto at = conf.find(from);
        if (at != std::string::npos) conf.replace(at, from.size(), to);
    }
    return conf;
}

TEST(NginxConfig, EveryExampleLabPassesNginxT) {
    std::size_t checked = 0;
    for (const auto& file : test::example_labs()) {
        auto lab = labfile::load_lab_or_throw(file.string());
        for (const auto& rendered : labfile::render_lab(lab, render::TemplateSet{}, {{"nginx"}})) {
            test::TempDir state;
            auto conf =
                with_issued_certificate(rendered.content, lab, *lab.service(rendered.service),
                                        *lab.node(rendered.node), state.path());
            expect_nginx_accepts(conf, file.string() + " " + rendered.node + ":" + rendered.path);
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

// With `tls = true` the config names the certificate and key the role installs; nginx -t opens
// them, so the test makes them with the lab CA code and points the config at its copies.
class NginxTls : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(NginxTls, PassesNginxTWithCertificatesFromTheLabCa) {
    auto [tls_listen, websocket] = GetParam();
    std::string text = R"(
[lab]
name = "tls"
[networks.lan]
mode = "host-only"
subnet = "10.22.0.0/24"
[nodes.lb]
networks = { lan = "10.22.0.2" }
[nodes.a]
networks = { lan = "10.22.0.3" }
[services.web]
type = "app"
on = "a"
port = 7000
run = "x"
[services.front]
type = "nginx"
on = "lb"
listen = 80
backend = "web"
tls = true
)" + (tls_listen == 443 ? std::string() : "tls_listen = " + std::to_string(tls_listen) + "\n") +
                       "websocket = " + (websocket ? "true" : "false") + "\n";
    auto result = labfile::load_lab_text(text, "tls.toml");
    ASSERT_TRUE(result.lab) << result.diagnostics.format();
    const auto& lab = *result.lab;
    auto files = labfile::render_lab(lab, render::TemplateSet{}, {{"front"}});
    ASSERT_EQ(files.size(), 1u);
    auto conf = files[0].content;
    const auto& service = *lab.service("front");
    std::string redirect = "return 301 https://$host" +
                           (tls_listen == 443 ? std::string() : ":" + std::to_string(tls_listen)) +
                           "$request_uri;";
    EXPECT_NE(conf.find(redirect), std::string::npos) << conf;
    EXPECT_NE(conf.find("listen " + std::to_string(tls_listen) + " ssl;"), std::string::npos);

    test::TempDir state;
    auto issued = store::ensure_server_cert(state.path(), lab.lab.name, "front.lb", "lb",
                                            services::nginx_tls_names(*lab.node("lb")));
    EXPECT_EQ(util::x509::subject_names(issued.cert_pem).ips,
              std::vector<std::string>{"10.22.0.2"});
    auto cert = state.path() / "front.crt", key = state.path() / "front.key";
    util::write_file_atomic(cert, issued.cert_pem);
    util::write_file_atomic(key, issued.key_pem, 0600);
    for (auto [from, to] : {std::pair{services::nginx_tls_certificate_path(service), cert.string()},
                            std::pair{services::nginx_tls_key_path(service), key.string()}}) {
        auto at = conf.find(from);
        ASSERT_NE(at, std::string::npos) << from << " not in\n" << conf;
        conf.replace(at, from.size(), to);
    }
    expect_nginx_accepts(conf, "tls_listen " + std::to_string(tls_listen));
}

INSTANTIATE_TEST_SUITE_P(PortsAndWebsocket, NginxTls,
                         ::testing::Combine(::testing::Values(443, 8443), ::testing::Bool()));

TEST(NginxConfig, TlsKeysAreCheckedWhereTheyAreWritten) {
    auto result = labfile::load_lab_text(R"(
[lab]
name = "tls"
[networks.lan]
mode = "host-only"
subnet = "10.23.0.0/24"
[nodes.lb]
networks = { lan = "10.23.0.2" }
[services.g]
type = "app"
on = "lb"
port = 7000
run = "x"
protocol = "grpc"
[services.front]
type = "nginx"
on = "lb"
listen = 7000
backend = "g"
tls_listen = 7000
[services.front2]
type = "nginx"
on = "lb"
listen = 81
backend = "g"
tls = true
tls_listen = 8443
)",
                                         "tls.toml");
    ASSERT_FALSE(result.lab);
    auto text = result.diagnostics.format();
    EXPECT_NE(text.find("tls.toml:20:14: error: `tls_listen` needs `tls = true`"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("`tls = true` balances HTTP backends; `g` speaks gRPC"), std::string::npos)
        << text;
    EXPECT_NE(text.find("port clash on node `lb`: port 7000"), std::string::npos) << text;
}

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

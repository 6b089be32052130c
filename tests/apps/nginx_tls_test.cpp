// HTTPS through the nginx config labctl renders for `tls = true`, served by a real nginx on
// loopback with a certificate from the lab CA code: verify's checks (chain against the lab
// CA, HTTP -> HTTPS redirect) pass, traffic reaches the backend over TLS, and a certificate
// from another CA, or an address the certificate does not name, fails.
#include <gtest/gtest.h>

#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "nginx.hpp"
#include "probe/load.hpp"
#include "services/nginx/nginx_tls.hpp"
#include "services/nginx/nginx_tls_checks.hpp"
#include "store/lab_ca.hpp"
#include "support.hpp"

namespace labctl::testing {
namespace {

topo::Lab tls_lab(std::uint16_t backend_port, std::uint16_t listen, std::uint16_t tls_port) {
    auto text =
        "[lab]\nname = \"loop\"\n[networks.lo]\nmode = \"host-only\"\nsubnet = \"127.0.0.0/8\"\n"
        "[nodes.lb]\nnetworks = { lo = \"127.0.0.2\" }\n"
        "[nodes.a]\nnetworks = { lo = \"127.0.0.3\" }\n"
        "[services.chat]\ntype = \"app\"\non = \"a\"\nrun = \"x\"\nport = " +
        std::to_string(backend_port) +
        "\n[services.lb]\ntype = \"nginx\"\non = \"lb\"\nbackend = \"chat\"\nlisten = " +
        std::to_string(listen) + "\ntls = true\ntls_listen = " + std::to_string(tls_port) + "\n";
    auto result = labfile::load_lab_text(text, "loop.toml");
    if (!result.lab) throw std::runtime_error(result.diagnostics.format());
    return std::move(*result.lab);
}

// The rendered balancer, its certificate (issued into STATE as the role does) copied into
// DIR and named in place of the node's paths.
std::string rendered_tls_balancer(const topo::Lab& lab, const fs::path& state,
                                  const fs::path& dir) {
    auto conf = labfile::render_lab(lab, render::TemplateSet{}, {{"lb"}}).at(0).content;
    const auto& service = *lab.service("lb");
    auto issued = store::ensure_server_cert(state, lab.lab.name, "lb.lb", "lb",
                                            services::nginx_tls_names(*lab.node("lb")));
    util::write_file_atomic(dir / "lb.crt", issued.cert_pem);
    util::write_file_atomic(dir / "lb.key", issued.key_pem, 0600);
    for (auto [from, to] :
         {std::pair{services::nginx_tls_certificate_path(service), (dir / "lb.crt").string()},
          std::pair{services::nginx_tls_key_path(service), (dir / "lb.key").string()}})
        conf.replace(conf.find(from), from.size(), to);
    return conf;
}

TEST(NginxTls, TheLabCaChainPassesAnotherCaFails) {
    TempDir dir;
    auto backend_port = free_port(), tls_port = free_port();
    ChatApp chat(dir.path(), "chat-a", {{"LISTEN_ADDRESS", "127.0.0.3"}}, backend_port);
    ASSERT_TRUE(eventually(
        [&] { return probe::http_get("127.0.0.3", backend_port, "/health", 1s).status == 200; },
        15s));
    auto state = dir.path() / "state";
    std::optional<topo::Lab> loaded;
    std::string conf;
    Nginx nginx(dir.path(), [&](std::uint16_t listen) {
        loaded = tls_lab(backend_port, listen, tls_port);
        conf = rendered_tls_balancer(*loaded, state, dir.path());
        return conf;
    });
    const auto& lab = *loaded;
    ASSERT_TRUE(nginx.ready()) << nginx.log() << conf;
    ASSERT_TRUE(
        eventually([&] { return probe::tcp_port_open("127.0.0.2", tls_port, 200ms).open; }, 10s))
        << nginx.log();

    remote::SessionPool no_ssh([](const std::string& node) -> remote::ConnectOptions {
        throw std::logic_error("the TLS checks need no SSH (asked for " + node + ")");
    });
    services::CheckContext context{lab, no_ssh, state};
    auto results = services::nginx_tls_checks(context, *lab.service("lb"));
    ASSERT_EQ(results.size(), 2u);
    for (const auto& result : results)
        EXPECT_TRUE(result.ok) << result.name << ": " << result.detail;
    EXPECT_EQ(results[0].name, "tls lb on lb:" + std::to_string(tls_port));
    EXPECT_EQ(results[1].name.rfind("redirect lb on lb:", 0), 0u) << results[1].name;

    // Traffic over HTTPS reaches the backend, checked against the lab CA.
    probe::LoadOptions load;
    load.host = "127.0.0.2";
    load.port = tls_port;
    load.ca_file = store::lab_ca_cert_path(state).string();
    load.requests = 20;
    auto traffic = probe::run_load(load);
    ASSERT_EQ(traffic.samples.size(), 20u);
    for (const auto& sample : traffic.samples) {
        EXPECT_EQ(sample.status, 200);
        EXPECT_EQ(sample.backend, "127.0.0.3:" + std::to_string(backend_port));
    }

    // Another lab's CA does not vouch for this certificate.
    auto other_state = dir.path() / "other-state";
    store::ensure_lab_ca(other_state, "other");
    services::CheckContext other{lab, no_ssh, other_state};
    auto refused = services::nginx_tls_checks(other, *lab.service("lb"));
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_FALSE(refused[0].ok);
    EXPECT_NE(refused[0].detail.find("certificate"), std::string::npos) << refused[0].detail;

    // The right CA, but an address the certificate does not name (127.0.0.1 is not lb's).
    auto unnamed =
        probe::http_get("127.0.0.1", tls_port, "/", 5s, store::lab_ca_cert_path(state).string());
    EXPECT_FALSE(unnamed.ok());
    EXPECT_NE(unnamed.error.find("127.0.0.1"), std::string::npos) << unnamed.error;
}

}  // namespace
}  // namespace labctl::testing

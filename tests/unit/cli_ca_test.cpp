// `labctl ca`: the lab CA certificate's path once `up` made it; exit 2 before that, and for a
// lab with no `tls = true`.
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "store/lab_ca.hpp"
#include "store/paths.hpp"
#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

TEST(CliCa, PrintsTheLabCaPathOnceItExists) {
    test::PrivateHome home;
    test::TempDir dir;
    auto lab = test::write_lab(dir.path(), test::two_network_lab("secure") + R"(
[nodes.lb]
networks = { hostonly = "192.168.56.10" }
[services.site]
type = "app"
on = "lb"
port = 8080
run = "x"
[services.front]
type = "nginx"
on = "lb"
listen = 80
tls = true
backend = "site"
)");
    auto before = test::run_labctl({"ca", "-f", lab.string()});
    EXPECT_EQ(before.exit_code, 2);
    EXPECT_NE(before.err.find("lab `secure` has no CA yet: `labctl up` creates it"),
              std::string::npos)
        << before.err;

    auto state = store::lab_state_dir("secure");
    store::ensure_lab_ca(state, "secure");
    auto after = test::run_labctl({"ca", "-f", lab.string()});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(after.out, store::lab_ca_cert_path(state).string() + "\n");
}

TEST(CliCa, VagrantMachinesSignTheirOwnCertificate) {
    test::TempDir dir;
    auto lab = test::write_lab(dir.path(), test::two_network_lab("secure") + R"(
[nodes.lb]
networks = { hostonly = "192.168.56.10" }
[services.site]
type = "app"
on = "lb"
port = 8080
run = "x"
[services.front]
type = "nginx"
on = "lb"
listen = 80
tls = true
backend = "site"
)");
    auto out = dir.path() / "vagrant";
    auto exported = test::run_labctl({"export", "vagrant", "-f", lab.string(), "-o", out.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    auto script = util::read_file(out / "provision/lb.sh");
    // The lab CA's key never leaves labctl's host, so the machine makes its own.
    EXPECT_NE(script.find("openssl req -x509"), std::string::npos) << script;
    EXPECT_NE(script.find("-keyout /etc/nginx/labctl-tls/front.key"), std::string::npos);
    EXPECT_EQ(util::run_process({"bash", "-n", (out / "provision/lb.sh").string()}).exit_code, 0);
}

TEST(CliCa, ALabWithoutTlsHasNoCa) {
    auto result =
        test::run_labctl({"ca", "-f", (test::source_dir() / "examples/rr-chat/lab.toml").string()});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("lab `rrchat` has no CA: no service sets `tls = true`"),
              std::string::npos)
        << result.err;
    auto help = test::run_labctl({"--help"});
    EXPECT_NE(help.out.find("  ca "), std::string::npos) << help.out;
}

}  // namespace
}  // namespace labctl

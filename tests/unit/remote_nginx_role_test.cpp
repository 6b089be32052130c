// The nginx role against a real nginx on 127.0.0.1 (its own prefix in a temp dir, started
// and stopped by the test), driven over a real sshd: changed config validated, moved and
// reloaded; unchanged config not even uploaded; a broken config never reaches nginx; a
// failed reload puts the previous file back.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <thread>

#include "remote_test_support.hpp"
#include "role_steps.hpp"
#include "services/nginx/nginx_role.hpp"
#include "services/nginx/nginx_settings.hpp"
#include "services/registry.hpp"
#include "util/backoff.hpp"
#include "util/files.hpp"
#include "util/process.hpp"

using namespace labctl;
using namespace std::chrono_literals;
namespace ts = labctl::test_support;

namespace {

// GET / on 127.0.0.1:PORT; "" when nothing answers.
std::string http_get(int port) {
    util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return "";
    std::string request = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::write(fd.get(), request.data(), request.size()) < 0) return "";
    std::string response;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fd.get(), buffer, sizeof buffer)) > 0;) response.append(buffer, n);
    auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? "" : response.substr(body + 4);
}

std::string site(int port, const std::string& body) {
    return "server {\n    listen 127.0.0.1:" + std::to_string(port) +
           ";\n    location / { return 200 \"" + body + "\\n\"; }\n}\n";
}

class NginxRoleTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sshd.start();
        session.emplace(remote::Session::connect(client.options(sshd)));
        auto dir = nginx_dir.path().string();
        std::filesystem::create_directories(nginx_dir.path() / "conf.d");
        std::ofstream(nginx_dir.path() / "nginx.conf")
            << "pid " << dir << "/nginx.pid;\n"
            << "error_log " << dir << "/error.log notice;\n"
            << "events { worker_connections 64; }\n"
            << "http {\n    access_log off;\n    include " << dir << "/conf.d/*.conf;\n}\n";
        util::write_file_atomic(live(), site(port, "v1"), 0644);
        auto started =
            util::run_process({"nginx", "-e", dir + "/early.log", "-c", dir + "/nginx.conf"});
        ASSERT_EQ(started.exit_code, 0) << started.err;
        ASSERT_TRUE(wait_for_body("v1\n"));
        settings.main_conf = dir + "/nginx.conf";
        settings.nginx = {"nginx", "-e", dir + "/early.log"};
        settings.reload = {"nginx", "-e",    dir + "/early.log", "-c", dir + "/nginx.conf",
                           "-s",    "reload"};
    }

    void TearDown() override {
        // Stop our nginx by the pid it wrote, and wait until it is gone.
        if (!std::filesystem::exists(nginx_dir.path() / "nginx.pid")) return;
        auto pid_text = util::read_file(nginx_dir.path() / "nginx.pid");
        pid_t pid = std::stoi(pid_text);
        ::kill(pid, SIGQUIT);
        util::Backoff backoff({10ms, 200ms, 2.0});
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (::kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(backoff.next());
        }
    }

    std::filesystem::path live() const { return nginx_dir.path() / "conf.d/site.conf"; }

    bool wait_for_body(const std::string& body) {
        util::Backoff backoff({10ms, 200ms, 2.0});
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (http_get(port) == body) return true;
            std::this_thread::sleep_for(backoff.next());
        }
        return false;
    }

    int reloads() const {
        std::ifstream in(nginx_dir.path() / "error.log");
        std::string text((std::istreambuf_iterator<char>(in)), {});
        int n = 0;
        for (auto pos = text.find("(SIGHUP) received"); pos != std::string::npos;
             pos = text.find("(SIGHUP) received", pos + 1))
            ++n;
        return n;
    }

    services::RoleReport apply(const std::string& content,
                               services::NginxRoleSettings role_settings) {
        topo::Lab lab;
        topo::Node node;
        node.name = "server1";
        topo::Service service;
        service.name = "lb";
        service.type = services::find_kind("nginx");
        service.settings = std::make_shared<services::NginxSettings>();
        render::GeneratedFile file{"server1", live().string(), content, 0644, "lb"};
        services::NginxRole role(role_settings);
        return role.apply({*session, lab, node, service, {file}});
    }

    ts::TestSshd sshd;
    ts::TestClient client{sshd};
    ts::TempDir nginx_dir;
    int port = ts::free_loopback_port();
    services::NginxRoleSettings settings;
    std::optional<remote::Session> session;  // connected in SetUp, once sshd listens
};

}  // namespace

TEST_F(NginxRoleTest, ChangedConfigIsValidatedMovedAndReloadedThenUnchangedDoesNothing) {
    auto report = apply(site(port, "v2"), settings);
    EXPECT_TRUE(report.changed());
    EXPECT_EQ(test::step_names(report),
              (std::vector<std::string>{"compare:changed", "stage:changed", "validate:ok",
                                        "move:changed", "reload:changed", "probe:ok"}));
    EXPECT_TRUE(wait_for_body("v2\n"));
    EXPECT_EQ(reloads(), 1);
    EXPECT_EQ(util::read_file(live()), site(port, "v2"));
    // Nothing of the staging left behind, nothing extra in the included directory.
    EXPECT_FALSE(std::filesystem::exists(nginx_dir.path() / "conf.d/.labctl-staging"));
    EXPECT_FALSE(std::filesystem::exists(nginx_dir.path() / ".labctl-test"));
    EXPECT_FALSE(std::filesystem::exists(nginx_dir.path() / ".labctl-test.conf"));
    int entries = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(nginx_dir.path() / "conf.d"))
        ++entries;
    EXPECT_EQ(entries, 1);

    struct stat before {};
    ASSERT_EQ(::stat(live().c_str(), &before), 0);
    auto again = apply(site(port, "v2"), settings);
    EXPECT_FALSE(again.changed());
    EXPECT_EQ(test::step_names(again),
              (std::vector<std::string>{"compare:ok", "start:ok", "probe:ok"}));
    struct stat after {};
    ASSERT_EQ(::stat(live().c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino) << "unchanged config was uploaded again";
    EXPECT_EQ(reloads(), 1) << "unchanged config reloaded nginx";
}

TEST_F(NginxRoleTest, BrokenConfigNeverReachesNginx) {
    auto broken = "server {\n    listen 127.0.0.1:" + std::to_string(port) +
                  ";\n    no_such_directive on;\n}\n";
    try {
        apply(broken, settings);
        FAIL() << "a broken config was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "validate");
        EXPECT_EQ(error.node(), "server1");
        EXPECT_NE(std::string(error.what()).find("no_such_directive"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(util::read_file(live()), site(port, "v1"));
    EXPECT_EQ(reloads(), 0);
    EXPECT_EQ(http_get(port), "v1\n");
    EXPECT_FALSE(std::filesystem::exists(nginx_dir.path() / "conf.d/.labctl-staging"));
    EXPECT_FALSE(std::filesystem::exists(nginx_dir.path() / ".labctl-test"));
}

TEST_F(NginxRoleTest, FailedReloadRestoresThePreviousFile) {
    auto failing = settings;
    failing.reload = {"sh", "-c", "echo reload refused >&2; exit 1"};
    try {
        apply(site(port, "v3"), failing);
        FAIL() << "a failed reload was not reported";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "reload");
        EXPECT_NE(std::string(error.what()).find("previous files are back"), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(util::read_file(live()), site(port, "v1"));
    EXPECT_EQ(http_get(port), "v1\n");
    // The restored state converges normally afterwards.
    EXPECT_TRUE(apply(site(port, "v4"), settings).changed());
    EXPECT_TRUE(wait_for_body("v4\n"));
}

TEST_F(NginxRoleTest, NewFileInAnIncludedDirectoryIsCreated) {
    topo::Lab lab;
    topo::Node node;
    node.name = "server1";
    topo::Service service;
    service.name = "lb2";
    int other_port = ts::free_loopback_port();
    render::GeneratedFile file{"server1", (nginx_dir.path() / "conf.d/other.conf").string(),
                               site(other_port, "other"), 0644, "lb2"};
    services::NginxRole role(settings);
    EXPECT_TRUE(role.apply({*session, lab, node, service, {file}}).changed());
    util::Backoff backoff({10ms, 200ms, 2.0});
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (http_get(other_port) != "other\n" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(backoff.next());
    }
    EXPECT_EQ(http_get(other_port), "other\n");
    EXPECT_EQ(http_get(port), "v1\n");
}

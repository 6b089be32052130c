// The SSH readiness probe against real sockets on 127.0.0.1 only.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "engine/ssh_wait.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using namespace labctl;

namespace {
// Listens on 127.0.0.1 (ephemeral port) and greets each client with BANNER, after DELAY.
class BannerServer {
  public:
    BannerServer(std::string banner, std::chrono::milliseconds delay = {})
        : banner_(std::move(banner)) {
        fd_ = util::Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
        socklen_t len = sizeof sa;
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        EXPECT_EQ(::listen(fd_.get(), 8), 0);
        thread_ = std::thread([this, delay] {
            for (;;) {
                int client = ::accept(fd_.get(), nullptr, nullptr);
                if (client < 0 || stop_) {
                    if (client >= 0) ::close(client);
                    return;
                }
                std::this_thread::sleep_for(delay);
                (void)!::write(client, banner_.data(), banner_.size());
                ::close(client);
            }
        });
    }
    ~BannerServer() {
        stop_ = true;
        ::shutdown(fd_.get(), SHUT_RDWR);
        thread_.join();
    }
    int port() const { return port_; }

  private:
    std::string banner_;
    util::Fd fd_;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

int closed_port() {
    util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);  // bound, never listening, closed on return: refused
}
}  // namespace

TEST(VirtSshWait, ProbeAcceptsOnlyAnSsh2Banner) {
    BannerServer ssh("SSH-2.0-OpenSSH_9.2p1 Debian\r\n");
    auto latency =
        engine::probe_ssh_banner("127.0.0.1", ssh.port(), std::chrono::milliseconds(2000));
    ASSERT_TRUE(latency);
    EXPECT_GE(*latency, 0.0);
    BannerServer http("HTTP/1.0 200 OK\r\n");
    EXPECT_FALSE(
        engine::probe_ssh_banner("127.0.0.1", http.port(), std::chrono::milliseconds(2000)));
    EXPECT_FALSE(
        engine::probe_ssh_banner("127.0.0.1", closed_port(), std::chrono::milliseconds(500)));
}

TEST(VirtSshWait, WaiterReturnsOnceTheBannerComes) {
    BannerServer slow("SSH-2.0-late\r\n", std::chrono::milliseconds(300));
    engine::BannerWaiter waiter;
    auto start = std::chrono::steady_clock::now();
    waiter.wait({"server1", "127.0.0.1", slow.port(), "/state/console/server1.log", "qemu", {}},
                std::chrono::milliseconds(5000));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(VirtSshWait, TimeoutOfAContainerSaysHowToReadItsJournal) {
    engine::BannerWaiter waiter;
    engine::WaitTarget target{"db1",
                              "127.0.0.1",
                              closed_port(),
                              {},
                              "lxc",
                              "virsh -c 'lxc:///system' lxc-enter-namespace shop-db1 "
                              "--noseclabel -- /bin/journalctl -b"};
    try {
        waiter.wait(target, std::chrono::milliseconds(300));
        FAIL() << "no timeout";
    } catch (const InfraError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("its journal: " + target.journal_command), std::string::npos)
            << message;
        EXPECT_EQ(message.find("serial console"), std::string::npos) << message;
        EXPECT_NE(message.find("--driver qemu"), std::string::npos) << message;
    }
}

TEST(VirtSshWait, TimeoutNamesNodeStepConsoleAndAnotherDriver) {
    engine::BannerWaiter waiter;
    auto start = std::chrono::steady_clock::now();
    try {
        waiter.wait(
            {"server2", "127.0.0.1", closed_port(), "/state/console/server2.log", "qemu", {}},
            std::chrono::milliseconds(700));
        FAIL() << "no timeout";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.node(), "server2");
        EXPECT_EQ(error.step(), "ssh");
        std::string message = error.what();
        EXPECT_NE(message.find("/state/console/server2.log"), std::string::npos) << message;
        EXPECT_NE(message.find("--driver lxc"), std::string::npos) << message;
        EXPECT_EQ(message.find("journal"), std::string::npos) << message;
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_GE(elapsed, std::chrono::milliseconds(500));
    EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
}

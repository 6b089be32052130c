// The SSH layer against a real sshd on 127.0.0.1: connect, pinned host keys, exec, stdin,
// timeouts, retry while the server is not up yet, uploads.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <future>
#include <thread>

#include "remote/install.hpp"
#include "remote/keys.hpp"
#include "remote/pool.hpp"
#include "remote/session.hpp"
#include "remote/transfer.hpp"
#include "remote_test_support.hpp"
#include "util/files.hpp"

using namespace labctl;
using namespace std::chrono_literals;
using labctl::test_support::TestClient;
using labctl::test_support::TestSshd;
namespace ts = labctl::test_support;

namespace {

class SshTest : public ::testing::Test {
  protected:
    void SetUp() override { sshd.start(); }
    TestSshd sshd;
    TestClient client{sshd};
};

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_F(SshTest, ExecCapturesExitCodeStdoutAndStderr) {
    auto session = remote::Session::connect(client.options(sshd));
    auto result = session.run({"sh", "-c", "echo out; echo err >&2; exit 7"});
    EXPECT_EQ(result.exit_code, 7);
    EXPECT_EQ(result.out, "out\n");
    EXPECT_EQ(result.err, "err\n");
    EXPECT_EQ(session.run({"true"}).exit_code, 0);
}

TEST_F(SshTest, ArgvWordsReachTheCommandUnsplitAndUnexpanded) {
    auto session = remote::Session::connect(client.options(sshd));
    auto result = session.run({"printf", "%s|", "a b", "it's", "$HOME", "*", ";reboot"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out, "a b|it's|$HOME|*|;reboot|");
}

TEST_F(SshTest, ExitBySignalIsReportedAs128PlusSignal) {
    auto session = remote::Session::connect(client.options(sshd));
    EXPECT_EQ(session.run({"sh", "-c", "kill -TERM $$"}).exit_code, 128 + 15);
}

TEST_F(SshTest, StdinIsDeliveredIncludingLargeInput) {
    auto session = remote::Session::connect(client.options(sshd));
    remote::RunOptions options;
    options.input = "not-on-argv-secret\n";
    EXPECT_EQ(session.run({"cat"}, options).out, options.input);

    // Larger than any channel window: exercises writing only what the window accepts.
    options.input.assign(3 * 1024 * 1024, 'x');
    for (std::size_t i = 0; i < options.input.size(); i += 997)
        options.input[i] = static_cast<char>('a' + i % 26);
    auto result = session.run({"sha256sum"}, options);
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.out.substr(0, 64), remote::sha256_hex(options.input));
}

TEST_F(SshTest, CheckThrowsWithStderrOnFailure) {
    auto session = remote::Session::connect(client.options(sshd));
    remote::RunOptions options;
    options.step = "probe";
    try {
        session.check({"sh", "-c", "echo broken >&2; exit 3"}, options);
        FAIL() << "check() did not throw";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "probe");
        EXPECT_EQ(error.node(), "testnode");
        EXPECT_NE(std::string(error.what()).find("broken"), std::string::npos);
    }
}

TEST_F(SshTest, CommandTimeoutKillsTheCommandAndKeepsTheSession) {
    auto session = remote::Session::connect(client.options(sshd));
    remote::RunOptions options;
    options.timeout = 500ms;
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(session.run({"sleep", "31.4159"}, options), remote::RemoteTimeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_EQ(session.run({"echo", "still-alive"}).out, "still-alive\n");
    // The timed-out command was killed on the node, not left behind (the signal is async:
    // poll for it with backoff).
    util::Backoff backoff({20ms, 200ms, 2.0});
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (session.run({"pgrep", "-f", "^sleep 31[.]4159"}).exit_code == 0 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(backoff.next());
    }
    EXPECT_EQ(session.run({"pgrep", "-f", "^sleep 31[.]4159"}).exit_code, 1) << sshd.log();
}

TEST_F(SshTest, ChangedHostKeyIsFatalBeforeAuthenticationAndNotRetried) {
    // Pin some other ed25519 key for this endpoint: what a man in the middle would look like.
    remote::pin_host_key(remote::known_hosts_path(client.state.path()), "127.0.0.1", sshd.port(),
                         remote::generate_ed25519().public_line);
    auto options = client.options(sshd);
    options.deadline = 30s;
    auto start = std::chrono::steady_clock::now();
    try {
        remote::Session::connect(options);
        FAIL() << "connected despite a changed host key";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh host key");
        EXPECT_EQ(error.node(), "testnode");
        EXPECT_NE(std::string(error.what()).find("CHANGED"), std::string::npos) << error.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s)
        << "a host-key failure must not be retried";
    auto log = sshd.log();
    EXPECT_EQ(count(log, "Connection from 127.0.0.1"), 1) << log;
    EXPECT_EQ(count(log, "Accepted publickey"), 0) << log;
    EXPECT_EQ(count(log, "Failed publickey"), 0) << log;
}

TEST_F(SshTest, PinnedKeyOfAnotherTypeIsRefused) {
    ssh_key raw = nullptr;
    ASSERT_EQ(ssh_pki_generate(SSH_KEYTYPE_ECDSA_P256, 256, &raw), SSH_OK);
    remote::KeyPtr ecdsa(raw);
    char* b64 = nullptr;
    ASSERT_EQ(ssh_pki_export_pubkey_base64(ecdsa.get(), &b64), SSH_OK);
    std::string line = std::string(ssh_key_type_to_char(ssh_key_type(ecdsa.get()))) + " " + b64;
    ssh_string_free_char(b64);
    remote::pin_host_key(remote::known_hosts_path(client.state.path()), "127.0.0.1", sshd.port(),
                         line);
    try {
        remote::Session::connect(client.options(sshd));
        FAIL() << "connected although the pinned key is of another type";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh host key");
    }
    EXPECT_EQ(count(sshd.log(), "Accepted publickey"), 0);
}

TEST_F(SshTest, HostWithoutPinnedKeyIsRefused) {
    auto known_hosts = remote::known_hosts_path(client.state.path());
    // Only another endpoint is pinned: this one is unknown, and never added on the fly.
    util::write_file_atomic(
        known_hosts, remote::known_hosts_line("127.0.0.1", 1, sshd.host_key().public_line) + "\n",
        0600);
    try {
        remote::Session::connect(client.options(sshd));
        FAIL() << "connected to a host that is not pinned";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh host key");
        EXPECT_NE(std::string(error.what()).find("not pinned"), std::string::npos) << error.what();
    }
    EXPECT_EQ(util::read_file(known_hosts).find(std::to_string(sshd.port())), std::string::npos);

    std::filesystem::remove(known_hosts);
    try {
        remote::Session::connect(client.options(sshd));
        FAIL() << "connected without a known_hosts file";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh host key");
    }
    EXPECT_FALSE(std::filesystem::exists(known_hosts));
}

TEST_F(SshTest, UnauthorizedKeyIsDenied) {
    auto options = client.options(sshd);
    ts::TempDir other;
    options.private_key = remote::ensure_lab_key(other.path()).private_path;
    try {
        remote::Session::connect(options);
        FAIL() << "an unauthorized key was accepted";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh auth");
    }
}

TEST(SshConnect, RetriesWhileNothingListensThenConnectsWhenSshdStarts) {
    TestSshd sshd;
    TestClient client(sshd);
    auto options = client.options(sshd);
    options.deadline = 30s;
    options.backoff = {50ms, 400ms, 2.0};
    auto starter = std::async(std::launch::async, [&] {
        std::this_thread::sleep_for(1500ms);  // the "guest" boots late
        sshd.start();
    });
    auto start = std::chrono::steady_clock::now();
    auto session = remote::Session::connect(options);
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
    starter.get();
    EXPECT_EQ(session.run({"echo", "up"}).out, "up\n");
}

TEST(SshConnect, GivesUpAtTheDeadlineNamingNodeAndStep) {
    TestSshd sshd;  // never started: connection refused
    TestClient client(sshd);
    auto options = client.options(sshd);
    options.deadline = 1s;
    options.backoff = {50ms, 200ms, 2.0};
    auto start = std::chrono::steady_clock::now();
    try {
        remote::Session::connect(options);
        FAIL() << "connected to nothing";
    } catch (const InfraError& error) {
        EXPECT_EQ(error.step(), "ssh connect");
        EXPECT_EQ(error.node(), "testnode");
        EXPECT_NE(std::string(error.what()).find("attempts"), std::string::npos) << error.what();
    }
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 5s);
}

TEST_F(SshTest, UploadRenamesIntoPlaceWithModeAndSkipsUnchanged) {
    auto session = remote::Session::connect(client.options(sshd));
    ts::TempDir target;
    auto path = (target.path() / "app.conf").string();
    EXPECT_TRUE(remote::upload_if_changed(session, "one\n", path, 0640));
    EXPECT_EQ(util::read_file(path), "one\n");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(remote::remote_sha256(session, path), remote::sha256_hex("one\n"));

    auto inode = st.st_ino;
    EXPECT_FALSE(remote::upload_if_changed(session, "one\n", path, 0640))
        << "unchanged content was uploaded";
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_ino, inode) << "an unchanged file was rewritten";

    // Replacing an existing file: a new inode renamed over the old one, no temp files left.
    EXPECT_TRUE(remote::upload_if_changed(session, "two\n", path, 0600));
    EXPECT_EQ(util::read_file(path), "two\n");
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_NE(st.st_ino, inode);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    // Same content, other mode: only a chmod, still `changed`.
    EXPECT_TRUE(remote::upload_if_changed(session, "two\n", path, 0644));
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(target.path()))
        ++entries;
    EXPECT_EQ(entries, 1);
    EXPECT_EQ(remote::remote_sha256(session, (target.path() / "missing").string()), std::nullopt);
}

TEST_F(SshTest, UploadTreeSendsOnlyChangedFiles) {
    auto session = remote::Session::connect(client.options(sshd));
    ts::TempDir local, target;
    std::filesystem::create_directories(local.path() / "static/css");
    util::write_file_atomic(local.path() / "app.py", "print('hi')\n", 0755);
    util::write_file_atomic(local.path() / "static/index.html", "<p>hi</p>\n", 0644);
    util::write_file_atomic(local.path() / "static/css/site.css", "p{}\n", 0644);
    auto remote_dir = (target.path() / "opt/chat").string();

    auto first = remote::upload_tree(session, local.path(), remote_dir);
    EXPECT_EQ(first.files, 3);
    EXPECT_EQ(first.changed, 3);
    EXPECT_EQ(util::read_file(remote_dir + "/static/css/site.css"), "p{}\n");
    struct stat st {};
    ASSERT_EQ(::stat((remote_dir + "/app.py").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);

    auto second = remote::upload_tree(session, local.path(), remote_dir);
    EXPECT_EQ(second.files, 3);
    EXPECT_EQ(second.changed, 0);

    util::write_file_atomic(local.path() / "static/index.html", "<p>changed</p>\n", 0644);
    auto third = remote::upload_tree(session, local.path(), remote_dir);
    EXPECT_EQ(third.changed, 1);
    EXPECT_EQ(util::read_file(remote_dir + "/static/index.html"), "<p>changed</p>\n");
}

TEST_F(SshTest, PoolReusesOneConnectionPerNode) {
    remote::SessionPool pool([&](const std::string& node) {
        auto options = client.options(sshd);
        options.node = node;
        return options;
    });
    auto& a = pool.get("a");
    auto& again = pool.get("a");
    EXPECT_EQ(&a, &again);
    auto& b = pool.get("b");
    EXPECT_NE(&a, &b);
    EXPECT_EQ(pool.size(), 2u);
    EXPECT_EQ(count(sshd.log(), "Accepted publickey"), 2);
    EXPECT_EQ(b.run({"echo", "b"}).out, "b\n");
}

TEST_F(SshTest, InstallFileSetsModeAndOwnerAndSkipsUnchanged) {
    auto session = remote::Session::connect(client.options(sshd));
    ts::TempDir target;
    auto path = (target.path() / "secret.conf").string();
    struct stat st {};
    remote::InstallOptions options;
    options.mode = 0640;
    options.owner = ts::current_user();
    options.group = "nogroup";
    EXPECT_TRUE(remote::install_file(session, "password=s3cret\n", path, options));
    EXPECT_EQ(util::read_file(path), "password=s3cret\n");
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    auto inode = st.st_ino;
    EXPECT_FALSE(remote::install_file(session, "password=s3cret\n", path, options));
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_ino, inode);
    options.group = "root";  // only the owner changes: still `changed`
    EXPECT_TRUE(remote::install_file(session, "password=s3cret\n", path, options));
    EXPECT_TRUE(remote::install_file(session, "password=other\n", path, options));
    EXPECT_EQ(util::read_file(path), "password=other\n");
    int entries = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(target.path()))
        ++entries;
    EXPECT_EQ(entries, 1);
}

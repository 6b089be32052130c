// Test support for the SSH layer: a real OpenSSH sshd on 127.0.0.1 and a free high port,
// with a throwaway host key and an authorized_keys file in a temporary directory, killed by
// pid when the fixture goes away. Tests talk to loopback only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "remote/keys.hpp"
#include "remote/session.hpp"

namespace labctl::test_support {

// A temporary directory removed (recursively) on destruction.
class TempDir {
  public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Sets an environment variable for the lifetime of the object.
class ScopedEnv {
  public:
    ScopedEnv(std::string name, const std::string& value);
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;
    ~ScopedEnv();

  private:
    std::string name_;
    std::string old_;
    bool had_old_ = false;
};

int free_loopback_port();
std::string current_user();

class TestSshd {
  public:
    TestSshd();  // prepared, not started
    TestSshd(const TestSshd&) = delete;
    TestSshd& operator=(const TestSshd&) = delete;
    ~TestSshd();

    void start();  // spawns sshd and waits until it accepts connections
    void stop();
    void authorize(const std::string& public_line);
    std::string log() const;

    int port() const { return port_; }
    const remote::KeyPair& host_key() const { return host_key_; }
    const std::filesystem::path& dir() const { return dir_.path(); }

  private:
    TempDir dir_;
    int port_;
    remote::KeyPair host_key_;
    pid_t pid_ = -1;
};

// A client side for TestSshd: a lab key authorized on it and its host key pinned in a
// lab-style state directory.
struct TestClient {
    TempDir state;
    remote::LabKey key;
    explicit TestClient(TestSshd& sshd);
    remote::ConnectOptions options(const TestSshd& sshd) const;
};

}  // namespace labctl::test_support

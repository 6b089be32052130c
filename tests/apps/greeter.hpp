// One instance of the sample gRPC greeter (examples/apps/grpc-greeter/greeter.py, Debian's
// python3-grpcio) on a loopback address, ready once its port accepts TCP.
#pragma once

#include "support.hpp"

namespace labctl::testing {

inline std::string greeter_dir() {
    return std::string(LABCTL_SOURCE_DIR) + "/examples/apps/grpc-greeter";
}

class Greeter {
  public:
    Greeter(const fs::path& dir, std::string instance, std::string address = "127.0.0.1",
            std::uint16_t port = 0)
        : instance_(std::move(instance)),
          address_(std::move(address)),
          port_(port ? port : free_port()) {
        child_ = std::make_unique<Child>(
            std::vector<std::string>{python(), greeter_dir() + "/greeter.py"},
            std::map<std::string, std::string>{{"PORT", std::to_string(port_)},
                                               {"LISTEN_ADDRESS", address_},
                                               {"INSTANCE", instance_}},
            dir / (instance_ + ".log"));
        ready_ = eventually([&] { return probe::tcp_port_open(address_, port_, 200ms).open; }, 15s);
    }
    bool ready() const { return ready_; }
    std::uint16_t port() const { return port_; }
    Child& process() { return *child_; }

  private:
    std::string instance_;
    std::string address_;
    std::uint16_t port_;
    std::unique_ptr<Child> child_;
    bool ready_ = false;
};

}  // namespace labctl::testing

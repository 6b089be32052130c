// What the test brokers share: one server process started as a Child (its output in
// DIR/server.log), ready once STOMP on 127.0.0.1:stomp_port() answers CONNECTED to the
// broker's credentials, with the time that took. A broker writes its own configuration and
// says how its server is started.
#pragma once

#include "support.hpp"

namespace labctl::testing {

class StompBroker {
  public:
    StompBroker(const StompBroker&) = delete;
    StompBroker& operator=(const StompBroker&) = delete;

    bool ready() const { return ready_; }
    std::chrono::milliseconds start_time() const { return start_time_; }
    std::uint16_t stomp_port() const { return stomp_port_; }
    std::string log() const { return util::read_file(dir_ / "server.log"); }

  protected:
    StompBroker(fs::path dir, probe::StompCredentials credentials)
        : dir_(std::move(dir)), stomp_port_(free_port()), credentials_(std::move(credentials)) {}
    ~StompBroker() { stop_server(); }

    // Starts ARGV with ENV and waits (up to 60 s) until STOMP answers.
    void start_server(const std::vector<std::string>& argv,
                      const std::map<std::string, std::string>& env) {
        auto started = std::chrono::steady_clock::now();
        child_ = std::make_unique<Child>(argv, env, dir_ / "server.log");
        ready_ = eventually(
            [&] {
                return child_->running() &&
                       probe::stomp_connect("127.0.0.1", stomp_port_, credentials_, 1s).connected;
            },
            60s);
        start_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
    }
    void stop_server() {
        if (child_) child_->stop(20s);
        child_.reset();
    }

    const fs::path dir_;
    const std::uint16_t stomp_port_;

  private:
    probe::StompCredentials credentials_;
    std::unique_ptr<Child> child_;
    bool ready_ = false;
    std::chrono::milliseconds start_time_{0};
};

}  // namespace labctl::testing

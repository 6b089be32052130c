// Connections reused within one run: one Session per node, opened on first use and
// re-opened when the previous one died. Different threads may ask for different nodes at
// the same time; one node's Session must be used by one thread at a time.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "remote/session.hpp"

namespace labctl::remote {

class SessionPool {
  public:
    using OptionsFor = std::function<ConnectOptions(const std::string& node)>;
    explicit SessionPool(OptionsFor options_for) : options_for_(std::move(options_for)) {}

    Session& get(const std::string& node);
    // Drops NODE's connection (e.g. after the node rebooted); the next get() reconnects.
    void forget(const std::string& node);
    std::size_t size() const;

  private:
    OptionsFor options_for_;
    mutable std::mutex mutex_;
    std::map<std::string, std::unique_ptr<Session>> sessions_;
};

}  // namespace labctl::remote

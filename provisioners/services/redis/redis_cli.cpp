#include "services/redis/redis_cli.hpp"

#include <chrono>

namespace labctl::services {

remote::RunResult redis_cli(remote::Session& session, int port, const std::string& password,
                            const std::string& commands, const std::string& step) {
    remote::RunOptions options;
    options.step = step;
    options.timeout = std::chrono::seconds(30);
    options.input = "AUTH " + password + "\n" + commands;
    // --no-raw would quote replies; raw keeps INFO's lines and GET's value as they are.
    return session.run({"redis-cli", "--raw", "-p", std::to_string(port)}, options);
}

std::string redis_secret_name(const std::string& service) {
    return "redis-" + service;
}

}  // namespace labctl::services

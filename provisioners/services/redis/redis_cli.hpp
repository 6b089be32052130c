// redis-cli on a node over SSH. The password goes on stdin as the first command (AUTH), never
// on a command line, where any local user could read it in ps.
#pragma once

#include <string>

#include "remote/session.hpp"

namespace labctl::services {

// Runs COMMANDS (one per line) against the local server on PORT after AUTH with PASSWORD;
// the RunResult's out holds one reply per line (AUTH's "OK" first).
remote::RunResult redis_cli(remote::Session& session, int port, const std::string& password,
                            const std::string& commands, const std::string& step);

// The secret's name in the lab state: one password per redis service.
std::string redis_secret_name(const std::string& service);

}  // namespace labctl::services

#include <iostream>

#include "cli/command_context.hpp"
#include "commands/ca.hpp"

namespace labctl::cli {

void add_ca_command(CLI::App& app, CommandContext& context) {
    auto options = std::make_shared<commands::CaOptions>();
    auto* cmd = app.add_subcommand(
        "ca", "Path of the lab CA's certificate (labs with tls = true), for curl --cacert");
    cmd->footer("Example:\n  curl --cacert \"$(labctl ca)\" https://server1/");
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_ca(context.global, *options, std::cout);
        };
    });
}

}  // namespace labctl::cli

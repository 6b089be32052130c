#include <iostream>

#include "cli/command_context.hpp"
#include "commands/lifecycle_commands.hpp"

namespace labctl::cli {

namespace {

void add_power_command(CLI::App& app, CommandContext& context, const std::string& action,
                       const std::string& description, const std::string& example) {
    auto options = std::make_shared<commands::PowerOptions>();
    options->action = action;
    auto* cmd = app.add_subcommand(action, description);
    cmd->add_option("nodes", options->nodes, "Node names, shell globs or @SERVICE")->required();
    cmd->add_option("-j,--jobs", options->jobs, "Nodes at once (default: all)")
        ->check(CLI::Range(1, 1024));
    cmd->footer("Example:\n  " + example);
    cmd->callback([&context, options] {
        context.action = [&context, options] {
            return commands::run_power(context.global, *options, std::cout);
        };
    });
}

}  // namespace

void add_power_commands(CLI::App& app, CommandContext& context) {
    add_power_command(app, context, "stop",
                      "Stop nodes (shut down, powered off after a bounded wait); `up` leaves "
                      "them stopped",
                      "labctl stop server2");
    add_power_command(app, context, "start",
                      "Start stopped nodes with the same NICs, addresses and host keys; waits "
                      "for SSH and their services",
                      "labctl start server2");
    add_power_command(app, context, "restart", "Stop, then start nodes", "labctl restart 'app*'");
}

}  // namespace labctl::cli
